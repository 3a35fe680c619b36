/// The live part of the job object (`GET /v1/jobs/{id}`): where the run is and what it measured.
/// The store keeps one row of it per job, updated by `applying(_:)` in the same transaction as each
/// event appended, so a job view is one read and one encode. A job that has not started has the empty
/// state (the job view then shows the first phase's plan, `GroupView.plan`).
public struct JobTrainingState: Sendable, Equatable, Codable {
    /// The phase of the newest `phase` or `epoch` event.
    public var phase: String?
    /// Completed global epochs, and optimizer steps over the job (from the newest `epoch` event).
    public var epoch: Int?
    public var step: Int?
    /// Every group the newest `epoch`, `control` or `phase` event named, with whether it trains and
    /// its LR then (a `phase` event has no current LRs: its groups show their peak). Ordered as first
    /// learned; `groups(in:)` orders them as the model does.
    public var groups: [GroupView]
    public var latest: EpochSummary?
    public var best: BestEvent?
    public var test: TestEvent?
    public var lrFind: LRFindEvent?

    public init(phase: String? = nil, epoch: Int? = nil, step: Int? = nil, groups: [GroupView] = [],
                latest: EpochSummary? = nil, best: BestEvent? = nil, test: TestEvent? = nil, lrFind: LRFindEvent? = nil) {
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

    /// Whether any event has changed the state yet.
    public var isEmpty: Bool { self == JobTrainingState() }

    /// The groups in `order` (the model's, first to head); a group no event named shows as frozen
    /// with no LR.
    public func groups(in order: [String]) -> [GroupView] {
        order.map { name in
            groups.first { $0.name == name } ?? GroupView(name: name, trainable: false, lr: nil, peakLR: nil)
        }
    }

    /// The job object's `groups`: the state's once a run reported them, else the first phase's plan.
    public func groupsView(modelGroups: [String], spec: JobSpec?) -> [GroupView] {
        groups.isEmpty ? GroupView.plan(spec: spec, groups: modelGroups) : groups(in: modelGroups)
    }
}
