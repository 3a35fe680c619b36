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
