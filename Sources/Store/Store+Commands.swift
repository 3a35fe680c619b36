import Foundation
import SQLite

extension Store {
    /// Records a command for a job as `pending`. The job must not be terminal (`conflict` otherwise:
    /// the daemon answers 409). Appends no event; the worker's acknowledgement is the event.
    public func postCommand(job jobID: String, type: String, payload: String = "{}") throws(StoreError)
        -> CommandRecord
    {
        let record = try sync { try $0.postCommand(jobID: jobID, type: type, payload: payload) }
        commandFeed.posted(job: jobID)  // committed: the run that holds the job may read it now
        return record
    }

    public func command(_ id: String) throws(StoreError) -> CommandRecord {
        try sync { try $0.requireCommand(id) }
    }

    /// The job's pending commands, oldest first: the order a worker must apply them in.
    public func pendingCommands(job jobID: String) throws(StoreError) -> [CommandRecord] {
        try sync { connection in
            try connection.requireJob(jobID)
            return try connection.read(
                CommandRecord.selectSQL + " WHERE job_id = ? AND status = 'pending' ORDER BY seq", [.text(jobID)]
            ).map { try CommandRecord(RowReader(table: CommandRecord.table, columns: CommandRecord.columns, row: $0)) }
        }
    }

    /// Marks a pending command `applied` or `rejected` (with an optional note). Resolving a command
    /// that is no longer pending is a `conflict`; `status: .pending` is an `invalidArgument`.
    @discardableResult
    /// `lease`: the worker's that applied it (fenced).
    public func resolveCommand(_ id: String, as status: CommandStatus, message: String? = nil, lease: Lease? = nil)
        throws(StoreError) -> CommandRecord
    {
        try fenced(lease) { try $0.resolveCommand(id, as: status, message: message) }
    }

    /// A job's commands, newest first, optionally only those with `status`.
    public func commands(job jobID: String, status: CommandStatus? = nil, page: PageRequest = PageRequest())
        throws(StoreError) -> Page<CommandRecord>
    {
        try sync { connection in
            try connection.requireJob(jobID)
            return try connection.page(
                table: CommandRecord.table, kind: "command", columns: CommandRecord.columns,
                scope: SQLCondition(sql: "job_id = ?", parameters: [.text(jobID)]),
                filter: status.map { SQLCondition(sql: "status = ?", parameters: [.text($0.rawValue)]) },
                request: page, decode: CommandRecord.init)
        }
    }
}

extension StoreConnection {
    func requireCommand(_ id: String) throws -> CommandRecord {
        guard let row = try read(CommandRecord.selectSQL + " WHERE id = ?", [.text(id)]).first else {
            throw StoreError.notFound(kind: "command", id: id)
        }
        return try CommandRecord(RowReader(table: CommandRecord.table, columns: CommandRecord.columns, row: row))
    }

    func postCommand(jobID: String, type: String, payload: String) throws -> CommandRecord {
        guard (1...64).contains(type.unicodeScalars.count) else {
            throw StoreError.invalidArgument(field: "type", reason: "must be 1 to 64 characters")
        }
        try requireJSON(payload, field: "payload")
        return try transaction {
            let job = try requireJob(jobID)
            if job.status.isTerminal {
                throw StoreError.conflict(kind: "job", id: jobID, reason: "job is \(job.status.rawValue)")
            }
            let id = try newID(prefix: "cmd", table: "job_commands")
            try write(
                "INSERT INTO job_commands (id, job_id, type, payload, status, created_at) VALUES (?, ?, ?, ?, 'pending', ?)",
                [.text(id), .text(jobID), .text(type), .text(payload), .integer(nowMillis())])
            notify(.command(job: jobID))
            return try requireCommand(id)
        }
    }

    func resolveCommand(_ id: String, as status: CommandStatus, message: String?) throws -> CommandRecord {
        guard status == .applied || status == .rejected else {
            throw StoreError.invalidArgument(field: "status", reason: "must be applied or rejected")
        }
        return try transaction {
            let command = try requireCommand(id)
            guard command.status == .pending else {
                throw StoreError.conflict(kind: "command", id: id, reason: "already \(command.status.rawValue)")
            }
            try write(
                "UPDATE job_commands SET status = ?, message = ?, resolved_at = ? WHERE id = ?",
                [.text(status.rawValue), message.map { .text($0) } ?? .null, .integer(nowMillis()), .text(id)])
            return try requireCommand(id)
        }
    }
}
