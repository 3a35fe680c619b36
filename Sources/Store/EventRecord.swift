import Foundation

/// One entry of a job's append-only event log.
public struct EventRecord: Sendable, Equatable {
    public var jobID: String
    /// 1, 2, 3, … per job, gap-free, never reused: the SSE `id:` and the `Last-Event-ID` resume point.
    public var id: Int
    /// Short name, 1–64 chars ("status", "epoch", "checkpoint", "command", …). The Store itself appends
    /// "status" on every status change and "interrupted" when a restart orphans a job; see docs/store.md.
    public var type: String
    /// JSON text.
    public var payload: String
    public var createdAt: Date

    static let columns = ["job_id", "id", "type", "payload", "created_at"]

    public init(jobID: String, id: Int, type: String, payload: String, createdAt: Date) {
        self.jobID = jobID
        self.id = id
        self.type = type
        self.payload = payload
        self.createdAt = createdAt
    }

    init(_ row: RowReader) throws {
        jobID = try row.text("job_id")
        id = try row.int("id")
        type = try row.text("type")
        payload = try row.text("payload")
        createdAt = try row.date("created_at")
    }
}
