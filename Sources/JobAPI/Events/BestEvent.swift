/// `best`: the job's tracked metric improved and a `best` checkpoint was written (by the worker, in
/// the checkpoint's transaction). Flat on the wire: `{"phase", "epoch", "global_epoch"}` beside the
/// epoch's measured metrics (`train_loss`, and `val_loss`, `val_accuracy` when validated).
public struct BestEvent: Sendable, Equatable, Codable {
    public var phase: String
    /// 1-based within the phase / over the job.
    public var epoch: Int
    public var globalEpoch: Int
    /// Metric name → value (null when not finite).
    public var metrics: [String: Double?]

    public init(phase: String, epoch: Int, globalEpoch: Int, metrics: [String: Double?]) {
        self.phase = phase
        self.epoch = epoch
        self.globalEpoch = globalEpoch
        self.metrics = metrics
    }

    static let fixed: Set<String> = ["phase", "epoch", "global_epoch"]

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        phase = try c.decode(String.self, forKey: AnyCodingKey("phase"))
        epoch = try c.decode(Int.self, forKey: AnyCodingKey("epoch"))
        globalEpoch = try c.decode(Int.self, forKey: AnyCodingKey("global_epoch"))
        var metrics: [String: Double?] = [:]
        for key in c.allKeys where !Self.fixed.contains(key.stringValue) {
            metrics[key.stringValue] = try c.decodeIfPresent(Double.self, forKey: key)
        }
        self.metrics = metrics
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        for (name, value) in metrics where !Self.fixed.contains(name) {
            try c.encodeMeasured(value, forKey: AnyCodingKey(name))
        }
        try c.encode(phase, forKey: AnyCodingKey("phase"))
        try c.encode(epoch, forKey: AnyCodingKey("epoch"))
        try c.encode(globalEpoch, forKey: AnyCodingKey("global_epoch"))
    }
}
