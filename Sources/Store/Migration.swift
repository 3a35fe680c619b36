import SQLite

/// One named, append-only schema step. Applied migrations are recorded in `schema_migrations`; a name,
/// once released, never changes meaning — new needs get a new migration at the end of `Schema.migrations`.
struct Migration: Sendable {
    let name: String
    /// The step in SQLite's dialect.
    let sql: String
    /// The same step in PostgreSQL's (see `SQLDialect` for how the two differ): every migration has
    /// both, so a database of either engine goes through the same schema history.
    let postgres: String
    /// Work SQL cannot do, run after `sql` in the same transaction (e.g. filling a new table from
    /// rows that need decoding in Swift); a throw rolls the whole migration back.
    let backfill: (@Sendable (StoreConnection) throws -> Void)?

    init(name: String, sql: String, postgres: String, backfill: (@Sendable (StoreConnection) throws -> Void)? = nil) {
        self.name = name
        self.sql = sql
        self.postgres = postgres
        self.backfill = backfill
    }

    /// Applies, in order and each in its own transaction together with its record, every migration of
    /// `migrations` the database has not recorded yet; returns the names applied now (empty on re-open).
    ///
    /// Refuses (`StoreError.unknownMigration`) a database that records a migration this build lacks:
    /// an older thawd must not write into a schema it does not understand.
    static func apply(_ migrations: [Migration], to connection: StoreConnection) throws -> [String] {
        let db = connection.db
        // BIGINT: SQLite gives it INTEGER affinity; PostgreSQL needs 64 bits for milliseconds.
        try db.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name TEXT PRIMARY KEY NOT NULL,
                applied_at BIGINT NOT NULL
            )
            """)
        let recorded = try db.query("SELECT name FROM schema_migrations").compactMap { $0.first?.string }
        let known = Set(migrations.map(\.name))
        if let stranger = recorded.sorted().first(where: { !known.contains($0) }) {
            throw StoreError.unknownMigration(name: stranger)
        }
        let done = Set(recorded)
        var applied: [String] = []
        for migration in migrations where !done.contains(migration.name) {
            try connection.transaction {
                try connection.write(db.dialect == .postgres ? migration.postgres : migration.sql, [],
                                     multipleStatements: true)
                try migration.backfill?(connection)
                try connection.write(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                    [.text(migration.name), .integer(connection.nowMillis())])
            }
            applied.append(migration.name)
        }
        return applied
    }
}
