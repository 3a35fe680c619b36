import Foundation

/// Where a control command is in its life: posted (`pending`), then exactly once `applied` or
/// `rejected` by the worker, or `cancelled` by the Store when the job ends first.
public enum CommandStatus: String, CaseIterable, Sendable, Codable {
    case pending, applied, rejected, cancelled
}

/// A control command posted to a job (unfreeze, freeze, lr, pause, resume, stop, cancel, …). The Store
/// does not interpret `type` or `payload`; the worker drains pending commands in posting order at a
/// batch boundary and resolves each one.
public struct CommandRecord: Sendable, Equatable {
    /// "cmd_" + 16 hex digits.
    public var id: String
    public var jobID: String
    /// 1–64 chars.
    public var type: String
    /// JSON text, e.g. `{"group":"layer4"}` or `{"lr":0.001}`; `{}` when the command has no arguments.
    public var payload: String
    public var status: CommandStatus
    /// Why it was rejected or cancelled, or a note on how it was applied.
    public var message: String?
    public var createdAt: Date
    /// When it left `pending`.
    public var resolvedAt: Date?

    static let table = "job_commands"
    static let columns = ["id", "job_id", "type", "payload", "status", "message", "created_at", "resolved_at"]
    static let selectSQL = "SELECT \(columns.joined(separator: ", ")) FROM job_commands"

    init(_ row: RowReader) throws {
        id = try row.text("id")
        jobID = try row.text("job_id")
        type = try row.text("type")
        payload = try row.text("payload")
        status = try row.enumeration("status", CommandStatus.self)
        message = try row.optionalText("message")
        createdAt = try row.date("created_at")
        resolvedAt = try row.optionalDate("resolved_at")
    }
}
