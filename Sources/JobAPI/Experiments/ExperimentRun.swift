/// One child job of an experiment as its summary reads it: what the job's stored record and result
/// say (docs/api.md, "Experiments", defines each figure).
public struct ExperimentRun: Sendable, Equatable, Encodable {
    public var jobID: String
    public var strategy: String
    public var seed: Int
    /// The job's status (`queued` … `cancelled`).
    public var status: String
    /// `result.test_accuracy` of a finished job; nil before, or when the job measured none.
    public var testAccuracy: Double?
    /// `result.epochs`: epochs the job ran.
    public var epochs: Int?
    /// Seconds from the job's first start to its end (`timings.running_seconds` of a finished job).
    public var wallSeconds: Double?
    /// Training images per second over the whole run: Σ images / Σ train seconds over its epochs
    /// (each epoch's `images_per_second` x `train_seconds`); nil before an epoch was timed.
    public var imagesPerSecond: Double?

    public init(jobID: String, strategy: String, seed: Int, status: String, testAccuracy: Double? = nil,
                epochs: Int? = nil, wallSeconds: Double? = nil, imagesPerSecond: Double? = nil) {
        self.jobID = jobID
        self.strategy = strategy
        self.seed = seed
        self.status = status
        self.testAccuracy = testAccuracy
        self.epochs = epochs
        self.wallSeconds = wallSeconds
        self.imagesPerSecond = imagesPerSecond
    }

    /// Whether the run counts in its strategy's figures: it ended with a test accuracy.
    public var isMeasured: Bool { testAccuracy != nil }

    /// Σ(images_per_second x train_seconds) / Σ train_seconds over `(imagesPerSecond, trainSeconds)`
    /// pairs of the epochs (untimed ones skipped).
    public static func imagesPerSecond(epochs: [(imagesPerSecond: Double?, trainSeconds: Double?)]) -> Double? {
        var images = 0.0, seconds = 0.0
        for epoch in epochs {
            guard let ips = epoch.imagesPerSecond, let s = epoch.trainSeconds, ips.isFinite, s.isFinite, s > 0 else { continue }
            images += ips * s
            seconds += s
        }
        return seconds > 0 ? images / seconds : nil
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id", strategy, seed, status, testAccuracy = "test_accuracy", epochs,
             wallSeconds = "wall_seconds", imagesPerSecond = "images_per_second"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(jobID, forKey: .jobID)
        try c.encode(strategy, forKey: .strategy)
        try c.encode(seed, forKey: .seed)
        try c.encode(status, forKey: .status)
        try c.encode(testAccuracy, forKey: .testAccuracy)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(wallSeconds, forKey: .wallSeconds)
        try c.encode(imagesPerSecond, forKey: .imagesPerSecond)
    }
}
