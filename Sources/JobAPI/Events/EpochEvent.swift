/// `epoch`: an epoch ended (validation done). The same fields as the metrics rows of
/// `GET /v1/jobs/{id}/metrics`; every key is always written, measured numbers as null when NaN,
/// infinite or not measured (no validation split: `val_loss`, `val_accuracy` null, `per_class_accuracy` {}).
public struct EpochEvent: Sendable, Equatable, Codable {
    public var phase: String
    public var phaseIndex: Int
    /// 1-based within the phase, and the phase's planned epochs.
    public var epoch: Int
    public var epochs: Int
    /// 1-based over the job; optimizer steps so far over the job.
    public var globalEpoch: Int
    public var globalStep: Int
    public var trainLoss: Double?
    public var valLoss: Double?
    public var valAccuracy: Double?
    /// Class name → validation accuracy.
    public var perClassAccuracy: [String: Double?]
    /// Group → LR of the epoch's last step, and group → schedule peak.
    public var lrs: [String: Double?]
    public var peakLRs: [String: Double?]
    /// Trainable groups, first to head.
    public var trainable: [String]
    /// Training + validation, and each part; building the activation cache; blocked on the loader.
    public var seconds: Double
    public var trainSeconds: Double
    public var evalSeconds: Double
    public var cacheSeconds: Double
    public var loaderWaitSeconds: Double
    /// Training images per second (null when no time was measured).
    public var imagesPerSecond: Double?
    /// Whether the frozen body's activations came from the cache.
    public var fromCache: Bool
    /// The tracked metric improved (a `best` checkpoint was written); reduce-on-plateau cut the LR.
    public var isBest: Bool
    public var lrReduced: Bool

    public init(phase: String, phaseIndex: Int, epoch: Int, epochs: Int, globalEpoch: Int, globalStep: Int,
                trainLoss: Double?, valLoss: Double?, valAccuracy: Double?, perClassAccuracy: [String: Double?],
                lrs: [String: Double?], peakLRs: [String: Double?], trainable: [String], seconds: Double,
                trainSeconds: Double, evalSeconds: Double, cacheSeconds: Double, loaderWaitSeconds: Double,
                imagesPerSecond: Double?, fromCache: Bool, isBest: Bool, lrReduced: Bool) {
        self.phase = phase
        self.phaseIndex = phaseIndex
        self.epoch = epoch
        self.epochs = epochs
        self.globalEpoch = globalEpoch
        self.globalStep = globalStep
        self.trainLoss = trainLoss
        self.valLoss = valLoss
        self.valAccuracy = valAccuracy
        self.perClassAccuracy = perClassAccuracy
        self.lrs = lrs
        self.peakLRs = peakLRs
        self.trainable = trainable
        self.seconds = seconds
        self.trainSeconds = trainSeconds
        self.evalSeconds = evalSeconds
        self.cacheSeconds = cacheSeconds
        self.loaderWaitSeconds = loaderWaitSeconds
        self.imagesPerSecond = imagesPerSecond
        self.fromCache = fromCache
        self.isBest = isBest
        self.lrReduced = lrReduced
    }

    /// The payload's keys; public so readers that name a field (a CSV header, a CLI label) spell it
    /// from here.
    public enum CodingKeys: String, CodingKey {
        case phase, phaseIndex = "phase_index", epoch, epochs, globalEpoch = "global_epoch",
             globalStep = "global_step", trainLoss = "train_loss", valLoss = "val_loss",
             valAccuracy = "val_accuracy", perClassAccuracy = "per_class_accuracy", lrs, peakLRs = "peak_lrs",
             trainable, seconds, trainSeconds = "train_seconds", evalSeconds = "eval_seconds",
             cacheSeconds = "cache_seconds", loaderWaitSeconds = "loader_wait_seconds",
             imagesPerSecond = "images_per_second", fromCache = "from_cache", isBest = "is_best",
             lrReduced = "lr_reduced"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        phase = try c.decode(String.self, forKey: .phase)
        epoch = try c.decode(Int.self, forKey: .epoch)
        globalEpoch = try c.decode(Int.self, forKey: .globalEpoch)
        phaseIndex = try c.added(.phaseIndex, default: 0)
        epochs = try c.added(.epochs, default: 0)
        globalStep = try c.added(.globalStep, default: 0)
        trainLoss = try c.measured(.trainLoss)
        valLoss = try c.measured(.valLoss)
        valAccuracy = try c.measured(.valAccuracy)
        perClassAccuracy = try c.measuredMap(.perClassAccuracy)
        lrs = try c.measuredMap(.lrs)
        peakLRs = try c.measuredMap(.peakLRs)
        trainable = try c.added(.trainable, default: [])
        seconds = try c.added(.seconds, default: 0)
        trainSeconds = try c.added(.trainSeconds, default: 0)
        evalSeconds = try c.added(.evalSeconds, default: 0)
        cacheSeconds = try c.added(.cacheSeconds, default: 0)
        loaderWaitSeconds = try c.added(.loaderWaitSeconds, default: 0)
        imagesPerSecond = try c.measured(.imagesPerSecond)
        fromCache = try c.added(.fromCache, default: false)
        isBest = try c.added(.isBest, default: false)
        lrReduced = try c.added(.lrReduced, default: false)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(phase, forKey: .phase)
        try c.encode(phaseIndex, forKey: .phaseIndex)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(globalEpoch, forKey: .globalEpoch)
        try c.encode(globalStep, forKey: .globalStep)
        try c.encodeMeasured(trainLoss, forKey: .trainLoss)
        try c.encodeMeasured(valLoss, forKey: .valLoss)
        try c.encodeMeasured(valAccuracy, forKey: .valAccuracy)
        try c.encodeMeasured(perClassAccuracy, forKey: .perClassAccuracy)
        try c.encodeMeasured(lrs, forKey: .lrs)
        try c.encodeMeasured(peakLRs, forKey: .peakLRs)
        try c.encode(trainable, forKey: .trainable)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(trainSeconds, forKey: .trainSeconds)
        try c.encode(evalSeconds, forKey: .evalSeconds)
        try c.encode(cacheSeconds, forKey: .cacheSeconds)
        try c.encode(loaderWaitSeconds, forKey: .loaderWaitSeconds)
        try c.encodeMeasured(imagesPerSecond, forKey: .imagesPerSecond)
        try c.encode(fromCache, forKey: .fromCache)
        try c.encode(isBest, forKey: .isBest)
        try c.encode(lrReduced, forKey: .lrReduced)
    }
}
