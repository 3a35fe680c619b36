/// One node as `GET /v1/nodes` lists it: a thawd (`--node-id`) using this store, its last heartbeat
/// and the jobs its workers hold now.
public struct NodeView: Encodable, Sendable, Equatable {
    public var id: String
    /// Unix seconds.
    public var startedAt: Int
    public var heartbeatAt: Int
    /// Seconds (to the millisecond) since the last heartbeat, as the answering node's clock sees it.
    public var heartbeatAgeSeconds: Double
    public var workers: Int
    public var runningJobs: [String]

    public init(id: String, startedAt: Int, heartbeatAt: Int, heartbeatAgeSeconds: Double, workers: Int, runningJobs: [String]) {
        self.id = id
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.heartbeatAgeSeconds = heartbeatAgeSeconds
        self.workers = workers
        self.runningJobs = runningJobs
    }

    enum CodingKeys: String, CodingKey {
        case id, object, startedAt = "started_at", heartbeatAt = "heartbeat_at",
             heartbeatAgeSeconds = "heartbeat_age_seconds", workers, runningJobs = "running_jobs"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode("node", forKey: .object)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(heartbeatAt, forKey: .heartbeatAt)
        try c.encode(heartbeatAgeSeconds, forKey: .heartbeatAgeSeconds)
        try c.encode(workers, forKey: .workers)
        try c.encode(runningJobs, forKey: .runningJobs)
    }
}
