import Foundation
import SQLite

extension Store {
    /// Records one epoch's metrics for a phase. `values` must be a JSON object. Recording the same
    /// (phase, epoch) again — an epoch re-run after a resume — replaces the values in place, so the
    /// history never holds an epoch twice.
    @discardableResult
    /// `lease`: the writing worker's (fenced: `leaseLost`, nothing written, once it lost the job).
    public func recordMetrics(job jobID: String, phase: String, epoch: Int, values: String, lease: Lease? = nil) throws(StoreError)
        -> MetricRecord
    {
        guard (1...64).contains(phase.unicodeScalars.count) else {
            throw .invalidArgument(field: "phase", reason: "must be 1 to 64 characters")
        }
        guard epoch >= 0 else { throw .invalidArgument(field: "epoch", reason: "must be >= 0") }
        return try sync { connection in
            try connection.requireJSON(values, field: "values", object: true)
            return try connection.fenced(lease) {
                try connection.requireJob(jobID)
                try connection.write(
                    """
                    INSERT INTO job_metrics (job_id, phase, epoch, metrics, created_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (job_id, phase, epoch) DO UPDATE SET metrics = excluded.metrics,
                        created_at = excluded.created_at
                    """,
                    [.text(jobID), .text(phase), .integer(Int64(epoch)), .text(values), .integer(connection.nowMillis())])
                return try connection.metrics(jobID, where: " AND phase = ? AND epoch = ?",
                                              [.text(phase), .integer(Int64(epoch))])[0]
            }
        }
    }

    /// The job's metric history in recording order (phase by phase, epoch by epoch).
    public func metrics(job jobID: String) throws(StoreError) -> [MetricRecord] {
        try sync { connection in
            try connection.requireJob(jobID)
            return try connection.metrics(jobID)
        }
    }

    /// The same history as CSV (see `MetricsCSV`): `phase,epoch,train_loss,…`.
    public func metricsCSV(job jobID: String) throws(StoreError) -> String {
        try sync { connection in
            try connection.requireJob(jobID)
            // json_each walks each object in its own key order and types every value.
            let cells = try connection.read(connection.db.dialect.metricCellsSQL, [.text(jobID)])
            var rows: [MetricsCSV.Row] = []
            var lastSeq: Int64?
            for cell in cells {
                guard let seq = cell[0].int, let phase = cell[1].string, let epoch = cell[2].int,
                      let key = cell[3].string, let type = cell[4].string
                else { throw StoreError.corruptRecord(table: "job_metrics", column: "metrics", reason: "unreadable") }
                if seq != lastSeq {
                    rows.append(MetricsCSV.Row(phase: phase, epoch: Int(epoch), cells: []))
                    lastSeq = seq
                }
                rows[rows.count - 1].cells.append((key, Self.csvCell(type: type, atom: cell[5], value: cell[6])))
            }
            return MetricsCSV.render(rows)
        }
    }

    private static func csvCell(type: String, atom: SQLiteValue, value: SQLiteValue) -> String {
        switch type {
        case "null": return ""
        case "true", "false": return type
        // PostgreSQL gives the atom as text: read it back into the number SQLite would have given.
        case "integer": return (atom.int ?? atom.string.flatMap { Int64($0) }).map(String.init) ?? ""
        case "real": return (atom.double ?? atom.string.flatMap { Double($0) }).map { "\($0)" } ?? ""
        case "text": return atom.string ?? ""
        default: return value.string ?? ""  // nested array/object: its JSON text
        }
    }
}

extension StoreConnection {
    func metrics(_ jobID: String, where extra: String = "", _ parameters: [SQLiteValue] = []) throws -> [MetricRecord] {
        try read(
            "SELECT \(MetricRecord.columns.joined(separator: ", ")) FROM job_metrics WHERE job_id = ?" + extra
                + " ORDER BY seq", [.text(jobID)] + parameters
        ).map { try MetricRecord(RowReader(table: "job_metrics", columns: MetricRecord.columns, row: $0)) }
    }
}
