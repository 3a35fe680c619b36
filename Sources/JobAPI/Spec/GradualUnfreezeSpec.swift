/// ULMFiT's gradual unfreezing inside one phase: the phase starts with its `trainable` groups, and
/// at the start of every `every`-th epoch the `groups` frozen groups closest to the head join (their
/// LR follows the running schedule from then on).
///
/// JSON: `{"every": 1, "groups": 1}`; `every` is required, `groups` defaults to 1.
public struct GradualUnfreezeSpec: Sendable, Equatable, Codable {
    public var every: Int
    public var groups: Int

    public init(every: Int, groups: Int = 1) {
        self.every = every
        self.groups = groups
    }

    static func read(_ value: JSONValue, path: String, log: ProblemLog) -> GradualUnfreezeSpec? {
        guard var reader = ObjectReader(value, path: path, log: log) else { return nil }
        defer { reader.finish() }
        let every = reader.int("every", required: true, "in [1, 10000] (epochs)", { (1...10_000).contains($0) })
        let groups = reader.int("groups", "in [1, 256]", { (1...256).contains($0) })
        guard let every, reader.has("groups") == (groups != nil) else { return nil }
        return GradualUnfreezeSpec(every: every, groups: groups ?? 1)
    }

    var json: JSONValue { .object(["every": .number(Double(every)), "groups": .number(Double(groups))]) }

    public init(from decoder: Decoder) throws { self = try SpecCoding.decode(decoder, Self.read) }
    public func encode(to encoder: Encoder) throws { try json.encode(to: encoder) }
}
