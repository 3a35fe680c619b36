/// The live part of the job object (`GET /v1/jobs/{id}`): where the run is and what it measured.
/// The store keeps one row of it per job, updated in the same transaction as each event that
/// changes it, so a job view is one read and one encode.
public struct JobTrainingState: Sendable, Equatable, Codable {
    public var phase: String?
    /// Completed global epochs, and optimizer steps over the job.
    public var epoch: Int?
    public var step: Int?
    /// Every group with whether it trains and its LR now; before the run starts, the first phase's plan.
    public var groups: [GroupView]
    public var latest: EpochEvent?
    public var best: BestEvent?
    public var test: TestEvent?
    public var lrFind: LRFindEvent?

    public init(phase: String? = nil, epoch: Int? = nil, step: Int? = nil, groups: [GroupView] = [],
                latest: EpochEvent? = nil, best: BestEvent? = nil, test: TestEvent? = nil, lrFind: LRFindEvent? = nil) {
        self.phase = phase
        self.epoch = epoch
        self.step = step
        self.groups = groups
        self.latest = latest
        self.best = best
        self.test = test
        self.lrFind = lrFind
    }

    enum CodingKeys: String, CodingKey { case phase, epoch, step, groups, latest, best, test, lrFind = "lr_find" }
}

/// One layer group as the job object shows it.
public struct GroupView: Sendable, Equatable, Codable {
    public var name: String
    public var trainable: Bool
    /// The schedule's current value, and the peak it scales (nil before the run starts).
    public var lr: Double?
    public var peakLR: Double?

    public init(name: String, trainable: Bool, lr: Double?, peakLR: Double?) {
        self.name = name
        self.trainable = trainable
        self.lr = lr
        self.peakLR = peakLR
    }

    enum CodingKeys: String, CodingKey { case name, trainable, lr, peakLR = "peak_lr" }
}
