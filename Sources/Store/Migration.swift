import SQLite

/// One named, append-only schema step. Applied migrations are recorded in `schema_migrations`; a name,
/// once released, never changes meaning — new needs get a new migration at the end of `Schema.migrations`.
struct Migration: Sendable {
    let name: String
    let sql: String
    /// Work SQL cannot do, run after `sql` in the same transaction (e.g. filling a new table from
    /// rows that need decoding in Swift); a throw rolls the whole migration back.
    let backfill: (@Sendable (StoreConnection) throws -> Void)?

    init(name: String, sql: String, backfill: (@Sendable (StoreConnection) throws -> Void)? = nil) {
        self.name = name
        self.sql = sql
        self.backfill = backfill
    }

    /// Applies, in order and each in its own transaction together with its record, every migration of
    /// `migrations` the database has not recorded yet; returns the names applied now (empty on re-open).
    ///
    /// Refuses (`StoreError.unknownMigration`) a database that records a migration this build lacks:
    /// an older thawd must not write into a schema it does not understand.
    static func apply(_ migrations: [Migration], to connection: StoreConnection) throws -> [String] {
        let db = connection.db
        try db.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name TEXT PRIMARY KEY NOT NULL,
                applied_at INTEGER NOT NULL
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
                try connection.write(migration.sql, [], multipleStatements: true)
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
