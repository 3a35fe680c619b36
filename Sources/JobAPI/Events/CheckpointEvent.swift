/// `checkpoint`: a checkpoint was written. `{"kind", "phase", "phase_index", "epoch", "global_epoch",
/// "metrics", "bytes"}`; `bytes` counts the weights and, for `epoch`, the resume state.
public struct CheckpointEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable { case best, epoch }

    public var kind: Kind
    public var phase: String
    public var phaseIndex: Int
    /// 1-based within the phase / over the job.
    public var epoch: Int
    public var globalEpoch: Int
    /// The epoch's measured metrics (null when not finite).
    public var metrics: [String: Double?]
    public var bytes: Int

    public init(kind: Kind, phase: String, phaseIndex: Int, epoch: Int, globalEpoch: Int,
                metrics: [String: Double?], bytes: Int) {
        self.kind = kind
        self.phase = phase
        self.phaseIndex = phaseIndex
        self.epoch = epoch
        self.globalEpoch = globalEpoch
        self.metrics = metrics
        self.bytes = bytes
    }

    enum CodingKeys: String, CodingKey {
        case kind, phase, phaseIndex = "phase_index", epoch, globalEpoch = "global_epoch", metrics, bytes
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        phase = try c.added(.phase, default: "")
        phaseIndex = try c.added(.phaseIndex, default: 0)
        epoch = try c.added(.epoch, default: 0)
        globalEpoch = try c.decode(Int.self, forKey: .globalEpoch)
        metrics = try c.measuredMap(.metrics)
        bytes = try c.added(.bytes, default: 0)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(phase, forKey: .phase)
        try c.encode(phaseIndex, forKey: .phaseIndex)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(globalEpoch, forKey: .globalEpoch)
        try c.encodeMeasured(metrics, forKey: .metrics)
        try c.encode(bytes, forKey: .bytes)
    }
}
