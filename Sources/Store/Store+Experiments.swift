import Foundation
import SQLite

/// Experiments (docs/store.md, "Experiments"): a row per experiment and a row per child job. The
/// SQL is kept to what SQLite and PostgreSQL both read (no GLOB, no json_* functions); the
/// PostgreSQL text differs only in its types (`PostgresSchema.experiments`).
extension Migration {
    static let experiments = Migration(name: "0006_experiments", sql: """
        CREATE TABLE experiments (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE CHECK (id LIKE 'exp!_%' ESCAPE '!'),
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
            request TEXT NOT NULL,
            cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
            created_at INTEGER NOT NULL
        );
        CREATE TABLE experiment_jobs (
            experiment_id TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
            job_id TEXT NOT NULL UNIQUE REFERENCES jobs(id) ON DELETE CASCADE,
            strategy TEXT NOT NULL CHECK (length(strategy) BETWEEN 1 AND 64),
            seed INTEGER NOT NULL CHECK (seed >= 0),
            position INTEGER NOT NULL CHECK (position >= 0),
            PRIMARY KEY (experiment_id, position)
        );
        """, postgres: PostgresSchema.experiments)
}

extension Store {
    /// Creates the experiment and all its child jobs (each `queued`, with its first event) in one
    /// transaction: either every child exists or none does.
    @discardableResult
    public func createExperiment(name: String, request: String, priority: Int, children: [NewExperimentChild])
        throws(StoreError) -> ExperimentRecord
    {
        try notifying { connection in
            guard (1...128).contains(name.unicodeScalars.count) else {
                throw StoreError.invalidArgument(field: "name", reason: "must be 1 to 128 characters")
            }
            guard !children.isEmpty else { throw StoreError.invalidArgument(field: "children", reason: "must not be empty") }
            try connection.requireJSON(request, field: "request", object: true)
            return try connection.transaction {
                let id = try connection.newID(prefix: "exp", table: "experiments")
                try connection.write(
                    "INSERT INTO experiments (id, name, request, created_at) VALUES (?, ?, ?, ?)",
                    [.text(id), .text(name), .text(request), .integer(connection.nowMillis())])
                for (position, child) in children.enumerated() {
                    let job = try connection.createJob(name: child.name, priority: priority, spec: child.spec, modelID: child.modelID)
                    try connection.write(
                        "INSERT INTO experiment_jobs (experiment_id, job_id, strategy, seed, position) VALUES (?, ?, ?, ?, ?)",
                        [.text(id), .text(job.id), .text(child.strategy), .integer(Int64(child.seed)), .integer(Int64(position))])
                }
                return try connection.requireExperiment(id)
            }
        }
    }

    public func experiment(_ id: String) throws(StoreError) -> ExperimentRecord {
        try sync { try $0.requireExperiment(id) }
    }

    /// Newest first.
    public func experiments(page: PageRequest = PageRequest()) throws(StoreError) -> Page<ExperimentRecord> {
        try sync { connection in
            let rows = try connection.page(table: ExperimentRecord.table, kind: "experiment", columns: ExperimentRecord.columns,
                                           request: page) { $0 }
            return Page(data: try rows.data.map { row in
                try ExperimentRecord(row, children: connection.experimentChildren(try row.text("id")))
            }, hasMore: rows.hasMore)
        }
    }

    /// Records that the experiment was cancelled (its children are cancelled by the caller, one by
    /// one, through the jobs' own control path).
    @discardableResult
    public func requestExperimentCancel(_ id: String) throws(StoreError) -> ExperimentRecord {
        try sync { connection in
            try connection.transaction {
                try connection.requireExperiment(id)
                try connection.write("UPDATE experiments SET cancel_requested = 1 WHERE id = ?", [.text(id)])
                return try connection.requireExperiment(id)
            }
        }
    }

    /// The experiment a job belongs to, or nil; on a reader connection, like `jobSnapshot`.
    public func experimentID(ofJob jobID: String) throws(StoreError) -> String? {
        try concurrentRead { db in
            try db.query("SELECT experiment_id FROM experiment_jobs WHERE job_id = ?", [.text(jobID)]).first?.first?.string
        }
    }
}

extension StoreConnection {
    @discardableResult
    func requireExperiment(_ id: String) throws -> ExperimentRecord {
        let sql = "SELECT \(ExperimentRecord.columns.joined(separator: ", ")) FROM experiments WHERE id = ?"
        guard let row = try read(sql, [.text(id)]).first else { throw StoreError.notFound(kind: "experiment", id: id) }
        return try ExperimentRecord(RowReader(table: ExperimentRecord.table, columns: ExperimentRecord.columns, row: row),
                                    children: experimentChildren(id))
    }

    func experimentChildren(_ id: String) throws -> [ExperimentRecord.Child] {
        let columns = ExperimentRecord.childColumns
        return try read("SELECT \(columns.joined(separator: ", ")) FROM experiment_jobs WHERE experiment_id = ? ORDER BY position",
                        [.text(id)])
            .map { try ExperimentRecord.Child(RowReader(table: "experiment_jobs", columns: columns, row: $0)) }
    }
}
