/// The opt-in `auto_unfreeze` policy: when the running phase plateaus (`monitor` has not improved by
/// more than `minDelta` for `patience` epochs) and some group is still frozen, the frozen group
/// closest to the head is unfrozen (with the LR share the phase gave it) and the plateau
/// count restarts. Off unless the job asks for it.
///
/// JSON: `true` (defaults: val_loss, patience 2, min_delta 0) or
/// `{"monitor": "val_loss", "mode": "auto", "patience": 2, "min_delta": 0}`.
public struct AutoUnfreezeSpec: Sendable, Equatable, Codable {
    public var monitor: Metric
    public var mode: MonitorMode
    public var patience: Int
    public var minDelta: Double

    public init(monitor: Metric = .valLoss, mode: MonitorMode? = nil, patience: Int = 2, minDelta: Double = 0) {
        self.monitor = monitor
        self.mode = mode ?? monitor.defaultMode
        self.patience = patience
        self.minDelta = minDelta
    }

    /// `.some(nil)` for `false`.
    static func read(_ value: JSONValue, path: String, log: ProblemLog) -> AutoUnfreezeSpec?? {
        if case .bool(let on) = value { return .some(on ? AutoUnfreezeSpec() : nil) }
        guard var reader = ObjectReader(value, path: path, log: log) else { return nil }
        defer { reader.finish() }
        let before = log.problems.count
        let monitor = Metric.read(&reader) ?? .valLoss
        var spec = AutoUnfreezeSpec(monitor: monitor, mode: MonitorMode.read(&reader, monitor: monitor))
        if let v = reader.int("patience", "in [1, 10000] (epochs)", { (1...10_000).contains($0) }) { spec.patience = v }
        if let v = reader.double("min_delta", "in [0, 1e6]", { $0 >= 0 && $0 <= 1e6 }) { spec.minDelta = v }
        return log.problems.count == before ? .some(spec) : nil
    }

    var json: JSONValue {
        .object(["monitor": .string(monitor.rawValue), "mode": .string(mode.rawValue),
                 "patience": .number(Double(patience)), "min_delta": .number(minDelta)])
    }

    public init(from decoder: Decoder) throws {
        self = try SpecCoding.decode(decoder) { value, path, log in Self.read(value, path: path, log: log) ?? nil }
    }
    public func encode(to encoder: Encoder) throws { try json.encode(to: encoder) }
}
