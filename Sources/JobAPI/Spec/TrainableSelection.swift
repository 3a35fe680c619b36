/// Which layer groups a phase (or a control command) makes trainable. Groups are ordered first to
/// head, e.g. small-cnn's `block1`, `block2`, `head`.
///
/// JSON: `"all"`, a list of group names `["block2", "head"]`, or `{"last": k}` (the last k groups,
/// fastai's `freeze_to(-k)`).
public enum TrainableSelection: Sendable, Equatable, Codable {
    case all
    case groups([String])
    case last(Int)

    /// The selected group names, in model order; names not in `groups` are dropped (validation reports
    /// them).
    public func resolve(in groups: [String]) -> [String] {
        switch self {
        case .all: return groups
        case .groups(let names):
            let wanted = Set(names)
            return groups.filter(wanted.contains)
        case .last(let k): return Array(groups.suffix(max(0, k)))
        }
    }

    static func read(_ value: JSONValue, path: String, log: ProblemLog) -> TrainableSelection? {
        switch value {
        case .string("all"):
            return .all
        case .array:
            guard let names = JSONRead.strings(value, path: path, log: log) else { return nil }
            guard !names.isEmpty else {
                log.add(path, "must name at least one group")
                return nil
            }
            // One pass with a set: validation stays linear in the body size.
            var seen = Set<String>(), duplicates = Set<String>()
            for name in names where !seen.insert(name).inserted { duplicates.insert(name) }
            guard duplicates.isEmpty else {
                log.add(path, "names a group twice: \(JSONRead.list(duplicates.sorted()))")
                return nil
            }
            return .groups(names)
        case .object:
            guard var reader = ObjectReader(value, path: path, log: log) else { return nil }
            defer { reader.finish() }
            guard let k = reader.int("last", required: true, "in [1, 256]", { (1...256).contains($0) }) else { return nil }
            return .last(k)
        default:
            log.add(path, "must be \"all\", a list of group names or {\"last\": k}, got \(value.typeName)")
            return nil
        }
    }

    var json: JSONValue {
        switch self {
        case .all: .string("all")
        case .groups(let names): .array(names.map(JSONValue.string))
        case .last(let k): .object(["last": .number(Double(k))])
        }
    }

    public init(from decoder: Decoder) throws { self = try SpecCoding.decode(decoder, Self.read) }
    public func encode(to encoder: Encoder) throws { try json.encode(to: encoder) }
}
