/// A job as `GET /v1/jobs/{id}` shows it (docs/api.md, "The job object"): the stored record, the spec
/// as posted, and the live part (`groups`, `metrics`, `lr_find`) from `JobTrainingState`.
public struct JobView: Encodable, Sendable, Equatable {
    public struct Failure: Encodable, Sendable, Equatable {
        public var code: String
        public var message: String

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    public var id: String
    public var name: String?
    public var status: String
    public var priority: Int
    /// The spec as posted (without `priority`); `{}` if the stored text cannot be read.
    public var spec: JSONValue
    public var modelID: String?
    public var attempts: Int
    public var crashes: Int
    /// Unix seconds.
    public var createdAt: Int
    public var startedAt: Int?
    public var finishedAt: Int?
    /// Seconds (to the millisecond) from submission to the first start, and running since then.
    public var queuedSeconds: Double
    public var runningSeconds: Double?
    public var training: JobTrainingState
    public var failure: Failure?
    /// The stored outcome of a finished job (`epochs`, `best_metric`, ..., the test figures).
    public var result: JSONValue?
    /// The experiment this job is a child of (`POST /v1/experiments`); left out of the object otherwise.
    public var experiment: String?
    /// The node (`thawd --node-id`) whose worker claimed the job last; null until claimed.
    public var node: String?
    /// Parts already written for `wireBytes()` (the same bytes as from the values above; not encoded
    /// by `encode(to:)`, which writes the values).
    public var fragments = Fragments()

    public init(id: String, name: String?, status: String, priority: Int, spec: JSONValue, modelID: String?,
                attempts: Int, crashes: Int, createdAt: Int, startedAt: Int?, finishedAt: Int?,
                queuedSeconds: Double, runningSeconds: Double?, training: JobTrainingState,
                failure: Failure?, result: JSONValue?) {
        self.id = id
        self.name = name
        self.status = status
        self.priority = priority
        self.spec = spec
        self.modelID = modelID
        self.attempts = attempts
        self.crashes = crashes
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.queuedSeconds = queuedSeconds
        self.runningSeconds = runningSeconds
        self.training = training
        self.failure = failure
        self.result = result
    }

    enum CodingKeys: String, CodingKey {
        case id, object, name, status, priority, model, modelID = "model_id", dataset, type, phase, epoch, step,
             attempts, crashes, createdAt = "created_at", startedAt = "started_at", finishedAt = "finished_at",
             spec, groups, metrics, lrFind = "lr_find", timings, error, experiment, result, node
    }
    enum TimingKeys: String, CodingKey { case queuedSeconds = "queued_seconds", runningSeconds = "running_seconds" }

    /// Fields the job object writes as `null` rather than leaving out (docs/api.md shows them so).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode("job", forKey: .object)
        try c.encode(name, forKey: .name)
        try c.encode(status, forKey: .status)
        try c.encode(priority, forKey: .priority)
        try c.encode(spec.field("model") ?? .null, forKey: .model)
        try c.encode(modelID, forKey: .modelID)
        try c.encode(node, forKey: .node)
        try c.encode(spec.field("dataset") ?? .null, forKey: .dataset)
        try c.encode(spec.field("type") ?? .string("train"), forKey: .type)
        try c.encode(training.phase, forKey: .phase)
        try c.encode(training.epoch, forKey: .epoch)
        try c.encode(training.step, forKey: .step)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(crashes, forKey: .crashes)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(spec, forKey: .spec)
        try c.encode(training.groups, forKey: .groups)
        try c.encode(JobMetricsView(training), forKey: .metrics)
        try c.encodeIfPresent(training.lrFind, forKey: .lrFind)
        var timings = c.nestedContainer(keyedBy: TimingKeys.self, forKey: .timings)
        try timings.encode(queuedSeconds, forKey: .queuedSeconds)
        try timings.encodeIfPresent(runningSeconds, forKey: .runningSeconds)
        try c.encode(failure, forKey: .error)
        try c.encodeIfPresent(experiment, forKey: .experiment)
        try c.encodeIfPresent(result, forKey: .result)
    }
}

extension JSONValue {
    /// The value of `key` when this is an object.
    public func field(_ key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }
}
