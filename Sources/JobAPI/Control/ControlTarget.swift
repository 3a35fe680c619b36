/// What an unfreeze or freeze command acts on.
///
/// JSON (exactly one key): `{"groups": ["block2", "head"]}`, `{"last": 2}` (groups), `{"all": true}`,
/// `{"last_layers": 3}` (the last n parameterised layers in model order), `{"layers": ["features.10"]}`.
public enum ControlTarget: Sendable, Equatable {
    case groups([String])
    case last(Int)
    case all
    case lastLayers(Int)
    case layers([String])

    static let keys = ["groups", "last", "all", "last_layers", "layers"]

    /// Reads the target from a command body; `reader` must not have read any target key yet.
    static func read(_ reader: inout ObjectReader) -> ControlTarget? {
        let log = reader.log
        let present = keys.filter(reader.has)
        guard present.count == 1, let key = present.first else {
            for key in keys { _ = reader.value(key) }
            log.add(reader.path, present.isEmpty
                    ? "needs a target: groups, last, all, last_layers or layers"
                    : "give one target, not \(present.joined(separator: " and "))")
            return nil
        }
        let path = reader.at(key)
        guard let value = reader.value(key) else { return nil }
        switch key {
        case "groups", "layers":
            guard let names = JSONRead.strings(value, path: path, log: log) else { return nil }
            guard !names.isEmpty else {
                log.add(path, "must name at least one \(key == "groups" ? "group" : "layer")")
                return nil
            }
            return key == "groups" ? .groups(names) : .layers(names)
        case "last", "last_layers":
            let range = key == "last" ? 1...256 : 1...1024  // the architecture limits on groups and layers
            guard let n = JSONRead.int(value, path: path, log: log, "in [\(range.lowerBound), \(range.upperBound)]", { range.contains($0) })
            else { return nil }
            return key == "last" ? .last(n) : .lastLayers(n)
        default:
            guard value == .bool(true) else {
                log.add(path, "must be true")
                return nil
            }
            return .all
        }
    }

    var fields: [String: JSONValue] {
        switch self {
        case .groups(let names): ["groups": .array(names.map(JSONValue.string))]
        case .last(let k): ["last": .number(Double(k))]
        case .all: ["all": .bool(true)]
        case .lastLayers(let n): ["last_layers": .number(Double(n))]
        case .layers(let names): ["layers": .array(names.map(JSONValue.string))]
        }
    }
}
