import Foundation
import JobAPI
import SQLite

/// A job's row and its training-state row as one read gives them: what the job view is built from.
public struct JobSnapshot: Sendable, Equatable {
    public var job: JobRecord
    /// The state row's JSON text and the id of the event that last changed it (a version: the
    /// same id means the same text); nil before any event changed the state.
    public var trainingState: String?
    public var trainingStateEventID: Int?

    /// The state row decoded; nil when there is none.
    public func decodedTrainingState() throws(StoreError) -> JobTrainingState? {
        guard let trainingState else { return nil }
        do { return try StoreConnection.decodeTrainingState(trainingState) } catch { throw StoreError.wrap(error) }
    }

    static let table = "jobs LEFT JOIN job_training_state s ON s.job_id = jobs.id"
    static let columns = JobRecord.columns.map { "jobs." + $0 } + ["s.state", "s.event_id"]
    static let selectByID = "SELECT \(columns.joined(separator: ", ")) FROM \(table) WHERE jobs.id = ?"

    init(_ row: RowReader) throws {
        let jobColumns = RowReader(table: JobRecord.table, columns: JobRecord.columns, row: Array(row.row.prefix(JobRecord.columns.count)))
        job = try JobRecord(jobColumns)
        trainingState = try row.optionalText("s.state")
        trainingStateEventID = try row.optionalInt("s.event_id")
    }
}

extension Store {
    /// The job and its training state in one SELECT (a prepared statement kept for the connection's
    /// life), on a reader connection (`concurrentRead`): it waits for no write and no other read.
    /// Throws `notFound(kind: "job")` for an unknown job.
    public func jobSnapshot(_ id: String) throws(StoreError) -> JobSnapshot {
        let row = try concurrentRead { try $0.query(cached: JobSnapshot.selectByID, [.text(id)]).first }
        guard let row else { throw StoreError.notFound(kind: "job", id: id) }
        do { return try JobSnapshot(RowReader(table: "jobs", columns: JobSnapshot.columns, row: row)) } catch {
            throw StoreError.wrap(error)
        }
    }

    /// `jobs(status:page:)` with each job's training state, in one SELECT.
    public func jobSnapshots(status: JobStatus? = nil, page: PageRequest = PageRequest()) throws(StoreError)
        -> Page<JobSnapshot>
    {
        try sync { connection in
            try connection.page(
                table: JobSnapshot.table, kind: "job", columns: JobSnapshot.columns,
                filter: status.map { SQLCondition(sql: "status = ?", parameters: [.text($0.rawValue)]) },
                request: page, decode: JobSnapshot.init)
        }
    }
}
