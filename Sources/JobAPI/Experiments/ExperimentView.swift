/// An experiment as `GET /v1/experiments/{id}` shows it (docs/api.md, "Experiments"): the request as
/// posted, its status derived from the children's, every child run and the summary.
public struct ExperimentView: Sendable, Equatable, Encodable {
    public var id: String
    public var name: String
    /// `ExperimentStatus.derive`.
    public var status: String
    /// Unix seconds; `finishedAt` is the last child's end once every child has ended.
    public var createdAt: Int
    public var finishedAt: Int?
    /// Cancelling the experiment was asked for (its children were sent `cancel`).
    public var cancelRequested: Bool
    /// The body as posted.
    public var request: JSONValue
    public var runs: [ExperimentRun]
    public var summary: ExperimentSummary

    public init(id: String, name: String, status: String, createdAt: Int, finishedAt: Int?, cancelRequested: Bool,
                request: JSONValue, runs: [ExperimentRun], summary: ExperimentSummary) {
        self.id = id
        self.name = name
        self.status = status
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.cancelRequested = cancelRequested
        self.request = request
        self.runs = runs
        self.summary = summary
    }

    enum CodingKeys: String, CodingKey {
        case id, object, name, status, createdAt = "created_at", finishedAt = "finished_at",
             cancelRequested = "cancel_requested", request, jobs, strategies, winner
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode("experiment", forKey: .object)
        try c.encode(name, forKey: .name)
        try c.encode(status, forKey: .status)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(cancelRequested, forKey: .cancelRequested)
        try c.encode(request, forKey: .request)
        try c.encode(runs, forKey: .jobs)
        try c.encode(summary.strategies, forKey: .strategies)
        try c.encode(summary.winner, forKey: .winner)
    }
}

/// An experiment's status, from its children's (never stored, so it cannot disagree with them).
public enum ExperimentStatus {
    public static let all = ["queued", "running", "succeeded", "failed", "cancelled"]
    static let final: Set<String> = ["succeeded", "stopped", "failed", "cancelled"]

    /// `queued` while no child has started; `running` while any child has not ended; then
    /// `cancelled` if the experiment was cancelled, `succeeded` if every child succeeded or was
    /// stopped (a stopped job keeps its best weights and is tested), else `failed`.
    public static func derive(children: [String], cancelRequested: Bool) -> String {
        if children.allSatisfy({ $0 == "queued" }) && !children.isEmpty { return "queued" }
        if children.contains(where: { !final.contains($0) }) { return "running" }
        if cancelRequested { return "cancelled" }
        return children.allSatisfy { $0 == "succeeded" || $0 == "stopped" } ? "succeeded" : "failed"
    }

    public static func isFinal(_ status: String) -> Bool { status == "succeeded" || status == "failed" || status == "cancelled" }
}
