/// Early stopping and best-weights checkpointing.
///
/// At job level the best value is tracked across all phases: every improvement checkpoints the weights,
/// running out of patience ends the whole job, and with `restoreBest` the best weights are restored
/// when the job ends, however it ends (done, stopped, stopped by the user). The patience count restarts
/// at each phase boundary (a new phase changes what trains), the best value does not.
///
/// In a phase it is that phase's own: the best resets when the phase starts, running out of patience
/// ends only that phase, and with `restoreBest` the phase's best weights are restored before the next
/// phase starts from them.
///
/// Defaults: monitor val_loss, mode auto (min for losses, max for accuracy), min_delta 0, patience 1
/// (fastai's), restore_best true.
/// JSON: `{"monitor": "val_loss", "mode": "auto", "min_delta": 0.0, "patience": 3, "restore_best": true}`.
public struct EarlyStoppingSpec: Sendable, Equatable, Codable {
    public var monitor: Metric
    public var mode: MonitorMode
    public var minDelta: Double
    public var patience: Int
    public var restoreBest: Bool

    public init(monitor: Metric = .valLoss, mode: MonitorMode? = nil, minDelta: Double = 0, patience: Int = 1,
                restoreBest: Bool = true) {
        self.monitor = monitor
        self.mode = mode ?? monitor.defaultMode
        self.minDelta = minDelta
        self.patience = patience
        self.restoreBest = restoreBest
    }

    static func read(_ value: JSONValue, path: String, log: ProblemLog) -> EarlyStoppingSpec? {
        guard var reader = ObjectReader(value, path: path, log: log) else { return nil }
        defer { reader.finish() }
        let before = log.problems.count
        let monitor = Metric.read(&reader) ?? .valLoss
        var spec = EarlyStoppingSpec(monitor: monitor, mode: MonitorMode.read(&reader, monitor: monitor))
        if let v = reader.double("min_delta", "in [0, 1e6]", { $0 >= 0 && $0 <= 1e6 }) { spec.minDelta = v }
        if let v = reader.int("patience", "in [1, 10000] (epochs)", { (1...10_000).contains($0) }) { spec.patience = v }
        if let v = reader.bool("restore_best") { spec.restoreBest = v }
        return log.problems.count == before ? spec : nil
    }

    var json: JSONValue {
        .object(["monitor": .string(monitor.rawValue), "mode": .string(mode.rawValue), "min_delta": .number(minDelta),
                 "patience": .number(Double(patience)), "restore_best": .bool(restoreBest)])
    }

    public init(from decoder: Decoder) throws { self = try SpecCoding.decode(decoder, Self.read) }
    public func encode(to encoder: Encoder) throws { try json.encode(to: encoder) }
}
