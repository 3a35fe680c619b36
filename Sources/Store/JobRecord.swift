import Foundation

/// Why a job failed, as the daemon reported it: a stable machine code ("nan_loss", "dataset_missing",
/// "resume_failed") plus a human message.
public struct JobFailure: Sendable, Equatable {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// One row of `jobs`. `spec` and `result` are JSON text the Store validates but does not interpret.
public struct JobRecord: Sendable, Equatable {
    /// "job_" + 16 hex digits.
    public var id: String
    public var name: String?
    public var status: JobStatus
    /// Higher runs first; ties run in submission order. Default 0.
    public var priority: Int
    public var spec: String
    /// The base model being fine-tuned, if any (a `models.id`).
    public var modelID: String?
    public var createdAt: Date
    /// First time the job entered `running`; kept across pauses and resumes.
    public var startedAt: Date?
    /// When it entered a terminal status.
    public var finishedAt: Date?
    /// Progress the worker last reported (e.g. phase "head", epoch 3, step 1200); NULL until reported.
    public var phase: String?
    public var epoch: Int?
    public var step: Int?
    public var result: String?
    public var failure: JobFailure?
    /// True while the job is `running`/`paused` but no worker owns it because thawd restarted under it;
    /// set by `recoverInterruptedJobs()`, cleared when a worker claims it. See docs/store.md, "Resume rule".
    public var interrupted: Bool
    /// How many times a worker has claimed the job: 1 on the first run; each resume after a restart adds 1.
    public var attempts: Int
    /// How many of those claims ended with the process dying while the job ran (a graceful shutdown
    /// releases the job instead and is not counted). See `recoverInterruptedJobs(failingAfter:)`.
    public var crashes: Int
    /// The node (`thawd --node-id`) whose worker claimed the job last; nil until claimed (or when the
    /// claimer named none).
    public var node: String?
    /// The lease of the worker that holds the job (`Store+Leases.swift`): nil while no worker does.
    public var leaseToken: String?
    /// When that lease runs out unless renewed; a sweep then takes the job back.
    public var leaseExpiresAt: Date?

    /// The holder's lease, to pass with every write its run makes (fencing).
    public var lease: Lease? { leaseToken.map { Lease(job: id, node: node, token: $0) } }

    /// A worker that claimed this job must restore it from its last checkpoint rather than start fresh.
    public var isResume: Bool { attempts > 1 }

    static let table = "jobs"
    static let columns = [
        "id", "name", "status", "priority", "spec", "model_id", "created_at", "started_at", "finished_at",
        "phase", "epoch", "step", "result", "error_code", "error_message", "interrupted", "attempts",
        "crashes", "node", "lease_token", "lease_expires_at",
    ]
    static let selectSQL = "SELECT \(columns.joined(separator: ", ")) FROM jobs"

    init(_ row: RowReader) throws {
        id = try row.text("id")
        name = try row.optionalText("name")
        status = try row.enumeration("status", JobStatus.self)
        priority = try row.int("priority")
        spec = try row.text("spec")
        modelID = try row.optionalText("model_id")
        createdAt = try row.date("created_at")
        startedAt = try row.optionalDate("started_at")
        finishedAt = try row.optionalDate("finished_at")
        phase = try row.optionalText("phase")
        epoch = try row.optionalInt("epoch")
        step = try row.optionalInt("step")
        result = try row.optionalText("result")
        if let code = try row.optionalText("error_code") {
            failure = JobFailure(code: code, message: try row.optionalText("error_message") ?? "")
        }
        interrupted = try row.int("interrupted") != 0
        attempts = try row.int("attempts")
        crashes = try row.int("crashes")
        node = try row.optionalText("node")
        leaseToken = try row.optionalText("lease_token")
        leaseExpiresAt = try row.optionalDate("lease_expires_at")
    }
}
