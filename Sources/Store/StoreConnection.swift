import Foundation
import SQLite

/// The Store's single-threaded core: one database connection (SQLite or PostgreSQL, see
/// `DatabaseConnection`), the write seam, the clock and the artifact directory. Not thread-safe; `Store` owns exactly one and touches it only on its serial queue.
/// Every feature's logic lives in `StoreConnection` extensions; `Store` only forwards to them.
final class StoreConnection {
    let db: any DatabaseConnection
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
    /// The lease of the fenced write in progress (`fenced`), recorded on the events it appends.
    var lease: Lease?
    /// `StoreConfiguration.leaseTimeout`: a claim's or renewal's lease runs this far ahead.
    let leaseTimeoutMillis: Int64
    /// PostgreSQL: the channels this schema's commits NOTIFY (`Store+Notifications.swift`); nil on SQLite.
    let channels: NotificationChannels?
    /// Notifications (channel, payload) for the commit of the transaction in progress.
    var pendingNotifications: [(String, String)] = []

    init(configuration: StoreConfiguration) throws {
        db = try Self.open(configuration)
        channels = try Self.notificationChannels(db)
        clock = configuration.clock
        leaseTimeoutMillis = Int64((configuration.leaseTimeout * 1000).rounded())
        var directory = configuration.artifactsDirectory
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        if !directory.hasPrefix("/") {
            directory = FileManager.default.currentDirectoryPath + "/" + directory
        }
        artifactsDirectory = directory
    }

    /// The configured engine's connection, set up for the Store: SQLite in WAL mode with foreign
    /// keys on; PostgreSQL with its session settings and, unless asked not to, the advisory lock.
    static func open(_ configuration: StoreConfiguration) throws -> any DatabaseConnection {
        switch configuration.database {
        case .sqlite(let path):
            let db = try Database(path: path)
            if path != ":memory:" {
                // WAL: readers never block the writer and a commit is one sequential append.
                let mode = try db.setJournalMode("WAL")
                guard mode == "wal" else {
                    throw StoreError.sqlite(code: -1, message: "journal_mode=WAL refused (got '\(mode)')")
                }
            }
            try db.execute("PRAGMA synchronous=\(configuration.synchronous.rawValue)")
            try db.execute("PRAGMA foreign_keys=ON")
            return db
        case .postgres(let uri):
            let synchronous = configuration.synchronous
            // A process frozen inside a transaction (SIGSTOP, a paused VM) would hold its job's row
            // lock, which the lease sweep skips: the server ends such a session once it has sat idle
            // in a transaction for the lease timeout, so the job can be taken back.
            let idleLimit = max(1000, Int((configuration.leaseTimeout * 1000).rounded()))
            return try PostgresDatabase(uri: uri) { db in
                try db.execute("SET synchronous_commit = \(synchronous == .full ? "on" : "off")")
                try db.execute("SET idle_in_transaction_session_timeout = \(idleLimit)")
            }
        }
    }

    /// Runs `body` (the migrations) holding the store's advisory lock on PostgreSQL, so nodes that
    /// start at once on one database migrate one after the other: the second finds the schema
    /// current and applies nothing. Session-level and released right after, so it never outlives
    /// the migration (a killed thawd's goes with its socket); keyed by the schema, so stores in
    /// separate schemas of one database do not wait for each other. SQLite needs none: the data
    /// directory's lock file already keeps a second process out.
    func whileMigrating<T>(_ body: () throws -> T) throws -> T {
        guard db.dialect == .postgres else { return try body() }
        let key = "\(Self.advisoryLockClass), hashtext(current_schema())"
        try db.execute("SELECT pg_advisory_lock(\(key))")
        defer { try? db.execute("SELECT pg_advisory_unlock(\(key))") }
        return try body()
    }

    /// The first key of the Store's advisory lock ("thaw" in ASCII), so it stays apart from any other
    /// application's locks in the same database.
    static let advisoryLockClass: Int32 = 0x7468_6177

    func nowMillis() -> Int64 { Int64((clock().timeIntervalSince1970 * 1000).rounded()) }

    /// Every statement that changes the database goes through here, so the fault seam sees it, and
    /// so does `writeVersion`: a statement outside a transaction has committed when it returns
    /// (inside one, `transaction` moves the version after its COMMIT).
    @discardableResult
    func write(_ sql: String, _ parameters: [SQLiteValue] = [], multipleStatements: Bool = false) throws
        -> [[SQLiteValue]]
    {
        try faults.tick(sql)
        defer { if !db.isInTransaction { writeVersion.bump() } }
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
        if db.isInTransaction { return try body() }
        // After the COMMIT (or the ROLLBACK: a version moved for nothing only costs a re-read).
        defer { writeVersion.bump() }
        try db.execute(db.dialect.beginTransaction)
        pendingNotifications = []
        do {
            let result = try body()
            // Inside the transaction: the server delivers them on COMMIT, and never if it rolls back.
            try sendNotifications()
            try faults.tick("COMMIT")
            try db.execute("COMMIT")
            return result
        } catch {
            pendingNotifications = []
            if db.isInTransaction { try? db.execute("ROLLBACK") }
            throw error
        }
    }

    /// Throws `invalidArgument(field:)` unless the engine's own JSON test accepts `text` — the same test
    /// the tables' CHECK constraints apply, so the error names the field instead of a constraint.
    func requireJSON(_ text: String, field: String, object: Bool = false) throws {
        guard try db.scalar(db.dialect.jsonValidity(object: object), [.text(text)])?.int == 1 else {
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
