/// The newest epoch as the job object's `metrics.latest` shows it: where it sits and what it
/// measured. `{"phase", "epoch", "global_epoch", "train_loss", "val_loss", "val_accuracy",
/// "per_class_accuracy", "images_per_second", "seconds", "from_cache"}`, measured numbers null when
/// not finite or not measured.
public struct EpochSummary: Sendable, Equatable, Codable {
    public var phase: String
    public var epoch: Int
    public var globalEpoch: Int
    public var trainLoss: Double?
    public var valLoss: Double?
    public var valAccuracy: Double?
    public var perClassAccuracy: [String: Double?]
    public var imagesPerSecond: Double?
    public var seconds: Double
    public var fromCache: Bool

    public init(_ e: EpochEvent) {
        phase = e.phase
        epoch = e.epoch
        globalEpoch = e.globalEpoch
        trainLoss = e.trainLoss
        valLoss = e.valLoss
        valAccuracy = e.valAccuracy
        perClassAccuracy = e.perClassAccuracy
        imagesPerSecond = e.imagesPerSecond
        seconds = e.seconds
        fromCache = e.fromCache
    }

    enum CodingKeys: String, CodingKey {
        case phase, epoch, globalEpoch = "global_epoch", trainLoss = "train_loss", valLoss = "val_loss",
             valAccuracy = "val_accuracy", perClassAccuracy = "per_class_accuracy",
             imagesPerSecond = "images_per_second", seconds, fromCache = "from_cache"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        phase = try c.decode(String.self, forKey: .phase)
        epoch = try c.decode(Int.self, forKey: .epoch)
        globalEpoch = try c.decode(Int.self, forKey: .globalEpoch)
        trainLoss = try c.measured(.trainLoss)
        valLoss = try c.measured(.valLoss)
        valAccuracy = try c.measured(.valAccuracy)
        perClassAccuracy = try c.measuredMap(.perClassAccuracy)
        imagesPerSecond = try c.measured(.imagesPerSecond)
        seconds = try c.added(.seconds, default: 0)
        fromCache = try c.added(.fromCache, default: false)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(phase, forKey: .phase)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(globalEpoch, forKey: .globalEpoch)
        try c.encodeMeasured(trainLoss, forKey: .trainLoss)
        try c.encodeMeasured(valLoss, forKey: .valLoss)
        try c.encodeMeasured(valAccuracy, forKey: .valAccuracy)
        try c.encodeMeasured(perClassAccuracy, forKey: .perClassAccuracy)
        try c.encodeMeasured(imagesPerSecond, forKey: .imagesPerSecond)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(fromCache, forKey: .fromCache)
    }
}
