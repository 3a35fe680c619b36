/// A peak learning rate for every layer group. The peak is what the schedule scales (one-cycle reaches
/// it after warm-up; constant holds it). Frozen groups get a value too, used once they unfreeze.
///
/// JSON:
/// - `0.003`: every group.
/// - `{"min": 1e-5, "max": 1e-3}`: spread geometrically over all the model's groups, first group
///   `min`, head `max` (fastai `slice(min, max)`).
/// - `{"max": 1e-3}`: head `max`, every other group `max/10` (fastai `slice(max)`).
/// - `{"groups": {"block2": 1e-3, "head": 1e-2}, "default": 1e-4}`: explicit; groups not listed get
///   `default`, or without it the smallest listed value (a cautious LR for a group nobody planned for).
/// Every LR must lie in (0, 10].
public enum LRSpec: Sendable, Equatable, Codable {
    case uniform(Double)
    case discriminative(min: Double?, max: Double)
    case perGroup([String: Double], default: Double?)

    /// Peak LR per group, in the order of `groups` (first to head).
    public func resolve(groups: [String]) -> [Double] {
        switch self {
        case .uniform(let lr):
            return groups.map { _ in lr }
        case .discriminative(let min?, let max):
            return DiscriminativeLR.evenMults(start: min, stop: max, count: groups.count)
        case .discriminative(nil, let max):
            return DiscriminativeLR.sliceStop(max, count: groups.count)
        case .perGroup(let lrs, let fallback):
            let fallback = fallback ?? lrs.values.min() ?? 1e-3
            return groups.map { lrs[$0] ?? fallback }
        }
    }

    package var isPerGroup: Bool {
        if case .perGroup = self { return true }
        return false
    }

    /// The largest LR this spec sets (the head's, for discriminative spreads).
    public var peak: Double {
        switch self {
        case .uniform(let lr): lr
        case .discriminative(_, let max): max
        case .perGroup(let lrs, let fallback): max(lrs.values.max() ?? 0, fallback ?? 0)
        }
    }

    static let validRange = "in (0, 10]"
    static func isValid(_ lr: Double) -> Bool { lr > 0 && lr <= 10 }

    static func read(_ value: JSONValue, path: String, log: ProblemLog) -> LRSpec? {
        switch value {
        case .number:
            return JSONRead.double(value, path: path, log: log, validRange, isValid).map(LRSpec.uniform)
        case .object:
            guard var reader = ObjectReader(value, path: path, log: log) else { return nil }
            defer { reader.finish() }
            if reader.has("groups") {
                return readGroups(&reader)
            }
            let min = reader.double("min", validRange, isValid)
            let max = reader.double("max", required: true, validRange, isValid)
            guard let max, reader.has("min") == (min != nil) else { return nil }
            if let min, min > max {
                log.add(reader.at("min"), "must not exceed max (\(JSONRead.format(max))), got \(JSONRead.format(min))")
                return nil
            }
            return .discriminative(min: min, max: max)
        default:
            log.add(path, "must be a number, {\"min\", \"max\"} or {\"groups\": {...}}, got \(value.typeName)")
            return nil
        }
    }

    static func readGroups(_ reader: inout ObjectReader) -> LRSpec? {
        let log = reader.log
        let fallback = reader.double("default", validRange, isValid)
        for key in ["min", "max"] where reader.has(key) {
            _ = reader.value(key)
            log.add(reader.at(key), "cannot be combined with groups")
        }
        let path = reader.at("groups")
        guard let value = reader.value("groups") else { return nil }
        guard case .object(let entries) = value else {
            log.add(path, "must be an object of group name to LR, got \(value.typeName)")
            return nil
        }
        guard !entries.isEmpty else {
            log.add(path, "must give at least one group's LR")
            return nil
        }
        var lrs: [String: Double] = [:]
        var ok = true
        for (name, lr) in entries.sorted(by: { $0.key < $1.key }) {
            if let lr = JSONRead.double(lr, path: SpecPath.key(path, name), log: log, validRange, isValid) {
                lrs[name] = lr
            } else {
                ok = false
            }
        }
        guard ok, reader.has("default") == (fallback != nil) else { return nil }
        return .perGroup(lrs, default: fallback)
    }

    var json: JSONValue {
        switch self {
        case .uniform(let lr):
            .number(lr)
        case .discriminative(let min, let max):
            .fields([("min", min.map(JSONValue.number)), ("max", .number(max))])
        case .perGroup(let lrs, let fallback):
            .fields([("groups", .object(lrs.mapValues(JSONValue.number))), ("default", fallback.map(JSONValue.number))])
        }
    }

    public init(from decoder: Decoder) throws { self = try SpecCoding.decode(decoder, Self.read) }
    public func encode(to encoder: Encoder) throws { try json.encode(to: encoder) }
}
