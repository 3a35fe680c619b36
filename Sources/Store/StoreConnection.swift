import Foundation
import SQLite

/// The Store's single-threaded core: one SQLite connection, the write seam, the clock and the artifact
/// directory. Not thread-safe; `Store` owns exactly one and touches it only on its serial queue.
/// Every feature's logic lives in `StoreConnection` extensions; `Store` only forwards to them.
final class StoreConnection {
    let db: Database
    let faults = FaultInjector()
    let clock: @Sendable () -> Date
    /// Absolute path, no trailing slash.
    let artifactsDirectory: String
    /// Events appended since the current `Store.notifying` call began; published after it commits.
    var appendedEvents: [EventRecord] = []
    /// Test seam: see `Store.eventLogReads`.
    var eventLogReads = 0
    /// Moved after each committed write (`Store.writeVersion`); read from any thread.
    let writeVersion = WriteVersion()

    init(configuration: StoreConfiguration) throws {
        db = try Database(path: configuration.databasePath)
        clock = configuration.clock
        var directory = configuration.artifactsDirectory
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        if !directory.hasPrefix("/") {
            directory = FileManager.default.currentDirectoryPath + "/" + directory
        }
        artifactsDirectory = directory
        if configuration.databasePath != ":memory:" {
            // WAL: readers never block the writer and a commit is one sequential append.
            let mode = try db.setJournalMode("WAL")
            guard mode == "wal" else {
                throw StoreError.sqlite(code: -1, message: "journal_mode=WAL refused (got '\(mode)')")
            }
        }
        try db.execute("PRAGMA synchronous=\(configuration.synchronous.rawValue)")
        try db.execute("PRAGMA foreign_keys=ON")
    }

    func nowMillis() -> Int64 { Int64((clock().timeIntervalSince1970 * 1000).rounded()) }

    /// Every statement that changes the database goes through here, so the fault seam sees it, and
    /// so does `writeVersion`: a statement outside a transaction has committed when it returns
    /// (inside one, `transaction` moves the version after its COMMIT).
    @discardableResult
    func write(_ sql: String, _ parameters: [SQLiteValue] = [], multipleStatements: Bool = false) throws
        -> [[SQLiteValue]]
    {
        try faults.tick(sql)
        defer { if db.isAutocommit { writeVersion.bump() } }
        if multipleStatements {
            try db.execute(sql)
            return []
        }
        return try db.query(sql, parameters)
    }

    func read(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        try db.query(sql, parameters)
    }

    /// `BEGIN IMMEDIATE`, body, `COMMIT` (itself a seam write); any throw rolls everything back, so a
    /// multi-statement operation is all-or-nothing. Nested calls join the open transaction.
    @discardableResult
    func transaction<T>(_ body: () throws -> T) throws -> T {
        if !db.isAutocommit { return try body() }
        // After the COMMIT (or the ROLLBACK: a version moved for nothing only costs a re-read).
        defer { writeVersion.bump() }
        try db.execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try faults.tick("COMMIT")
            try db.execute("COMMIT")
            return result
        } catch {
            if !db.isAutocommit { try? db.execute("ROLLBACK") }
            throw error
        }
    }

    /// Throws `invalidArgument(field:)` unless SQLite's own `json_valid` accepts `text` — the same test
    /// the tables' CHECK constraints apply, so the error names the field instead of a constraint.
    func requireJSON(_ text: String, field: String, object: Bool = false) throws {
        let sql = object ? "SELECT CASE WHEN json_valid(?1) THEN json_type(?1) = 'object' ELSE 0 END" : "SELECT json_valid(?1)"
        guard try db.scalar(sql, [.text(text)])?.int == 1 else {
            throw StoreError.invalidArgument(field: field, reason: object ? "not a JSON object" : "not valid JSON")
        }
    }

    /// A random id (`RandomID`) not yet used in `table`. Checked rather than retried on a UNIQUE failure
    /// because only this serial queue writes, so nothing can take the id between check and insert.
    func newID(prefix: String, table: String) throws -> String {
        while true {
            let id = RandomID.make(prefix: prefix)
            if try read("SELECT 1 FROM \(table) WHERE id = ?", [.text(id)]).isEmpty { return id }
        }
    }
}
