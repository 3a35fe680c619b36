import Foundation
import SQLite

extension Store {
    /// How many jobs are in each status (statuses with none are absent), for `/metrics`.
    public func jobCountsByStatus() throws(StoreError) -> [JobStatus: Int] {
        try sync { connection in
            var counts: [JobStatus: Int] = [:]
            for row in try connection.read("SELECT status, COUNT(*) FROM jobs GROUP BY status") {
                if let name = row[0].string, let status = JobStatus(rawValue: name), let n = row[1].int {
                    counts[status] = Int(n)
                }
            }
            return counts
        }
    }
}

extension Store {
    /// The newest event of each of `types` for a job (types with none are absent): what a job
    /// object shows as its current state without replaying the whole log.
    public func latestEvents(job jobID: String, types: [String]) throws(StoreError) -> [String: EventRecord] {
        guard !types.isEmpty else { return [:] }
        return try sync { connection in
            let marks = Array(repeating: "?", count: types.count).joined(separator: ", ")
            let sql = """
                SELECT \(EventRecord.columns.joined(separator: ", ")) FROM job_events
                WHERE job_id = ? AND id IN (SELECT MAX(id) FROM job_events WHERE job_id = ? AND type IN (\(marks)) GROUP BY type)
                """
            var result: [String: EventRecord] = [:]
            for row in try connection.read(sql, [.text(jobID), .text(jobID)] + types.map { .text($0) }) {
                let event = try EventRecord(RowReader(table: "job_events", columns: EventRecord.columns, row: row))
                result[event.type] = event
            }
            return result
        }
    }
}
