import Foundation

/// One row of `experiments` with its children (`experiment_jobs`, in submission order). `request` is
/// the body as posted (JSON text the Store keeps, does not interpret). Its status and figures are
/// not stored: they are derived from the children's job rows, the one source of truth.
public struct ExperimentRecord: Sendable, Equatable {
    /// One child job: which strategy and seed it runs.
    public struct Child: Sendable, Equatable {
        public var jobID: String
        public var strategy: String
        public var seed: Int
        /// 0-based submission order within the experiment.
        public var position: Int
    }

    /// "exp_" + 16 hex digits.
    public var id: String
    public var name: String
    public var request: String
    /// Set by `cancelExperiment`: its children were (or are being) sent `cancel`.
    public var cancelRequested: Bool
    public var createdAt: Date
    public var children: [Child]

    static let table = "experiments"
    static let columns = ["id", "name", "request", "cancel_requested", "created_at"]
    static let childColumns = ["job_id", "strategy", "seed", "position"]

    init(_ row: RowReader, children: [Child]) throws {
        id = try row.text("id")
        name = try row.text("name")
        request = try row.text("request")
        cancelRequested = try row.int("cancel_requested") != 0
        createdAt = try row.date("created_at")
        self.children = children
    }
}

extension ExperimentRecord.Child {
    init(_ row: RowReader) throws {
        jobID = try row.text("job_id")
        strategy = try row.text("strategy")
        seed = try row.int("seed")
        position = try row.int("position")
    }
}

/// A child job to create with its experiment: the job row's fields and which strategy and seed it runs.
public struct NewExperimentChild: Sendable, Equatable {
    public var name: String
    public var spec: String
    public var modelID: String?
    public var strategy: String
    public var seed: Int

    public init(name: String, spec: String, modelID: String?, strategy: String, seed: Int) {
        self.name = name
        self.spec = spec
        self.modelID = modelID
        self.strategy = strategy
        self.seed = seed
    }
}
