/// The body of an `lr` control command.
///
/// - `{"lr": 1e-4}` / `{"lr": {"min": 1e-5, "max": 1e-3}}` / `{"lr": {"max": 1e-3}}`: new peaks for
///   every group (`set`).
/// - `{"groups": {"head": 1e-3}}`: new peaks for the listed groups only (`set` with `perGroup`).
/// - `{"scale": 0.1}` or `{"scale": 0.1, "groups": ["head"]}`: multiply peaks, in (0, 10].
public enum LRChange: Sendable, Equatable {
    case set(LRSpec)
    case scale(Double, groups: [String]?)

    static func read(_ reader: inout ObjectReader) -> LRChange? {
        let log = reader.log
        let forms = ["lr", "scale"].filter(reader.has)
        if forms.count > 1 {
            reader.abandon()
            log.add(reader.path, "give either lr or scale, not both")
            return nil
        }
        if reader.has("scale") {
            let factor = reader.double("scale", "in (0, 10]", { $0 > 0 && $0 <= 10 })
            var groups: [String]?
            if let value = reader.value("groups") {
                groups = JSONRead.strings(value, path: reader.at("groups"), log: log)
                if groups == nil { return nil }
            }
            return factor.map { .scale($0, groups: groups) }
        }
        if let value = reader.value("lr") {
            if reader.has("groups") {
                _ = reader.value("groups")
                log.add(reader.at("groups"), "cannot be combined with lr (write {\"groups\": {\"name\": lr}} alone)")
                return nil
            }
            return LRSpec.read(value, path: reader.at("lr"), log: log).map(LRChange.set)
        }
        if reader.has("groups") {
            let before = log.problems.count
            guard let spec = LRSpec.readGroups(&reader), log.problems.count == before else { return nil }
            if case .perGroup(_, let fallback?) = spec, fallback > 0 {
                log.add(reader.at("default"), "does not apply to a control command (only the listed groups change)")
                return nil
            }
            return .set(spec)
        }
        log.add(reader.path, "needs lr, scale or groups")
        return nil
    }

    var fields: [String: JSONValue] {
        switch self {
        case .set(.perGroup(let lrs, _)): ["groups": .object(lrs.mapValues(JSONValue.number))]
        case .set(let spec): ["lr": spec.json]
        case .scale(let factor, let groups):
            groups.map { ["scale": .number(factor), "groups": .array($0.map(JSONValue.string))] } ?? ["scale": .number(factor)]
        }
    }
}
