import CSQLite

/// One SQLite connection. Not thread-safe by itself: the Store owns it behind a serial queue.
public final class Database {
    public let path: String
    let handle: OpaquePointer

    /// Opens (creating if needed) the database at `path`; `":memory:"` gives a private in-memory one.
    public init(path: String) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message)
        }
        self.path = path
        self.handle = db
        sqlite3_busy_timeout(db, 5_000)
        sqlite3_extended_result_codes(db, 1)
    }

    /// Prepared once, reused by `query(cached:)`: the hot reads (a job view) skip SQLite's parse
    /// and plan. Raw handles (a `Statement` holds its database) finalized before the close.
    private var cachedStatements: [String: OpaquePointer] = [:]

    deinit {
        for statement in cachedStatements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(error)
            throw SQLiteError(code: rc, message: message, sql: sql)
        }
    }

    /// Runs one statement with positional parameters and returns all rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        let statement = try Statement(database: self, sql: sql)
        try statement.bind(parameters)
        var rows: [[SQLiteValue]] = []
        while let row = try statement.step() { rows.append(row) }
        return rows
    }

    /// `query(_:_:)` with the statement prepared on first use and kept for the connection's life
    /// (reset and its bindings cleared after each use). For a few fixed hot SQL strings only.
    @discardableResult
    public func query(cached sql: String, _ parameters: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        let handle: OpaquePointer
        if let cached = cachedStatements[sql] {
            handle = cached
        } else {
            handle = try Statement.prepare(self, sql)
            cachedStatements[sql] = handle
        }
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        let statement = Statement(database: self, sql: sql, cached: handle)
        try statement.bind(parameters)
        var rows: [[SQLiteValue]] = []
        while let row = try statement.step() { rows.append(row) }
        return rows
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// False while a transaction is open on this connection (SQLite's autocommit flag).
    public var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    /// The first value of the first row, or nil when there is no row; for `SELECT count(*)`-style reads.
    public func scalar(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> SQLiteValue? {
        try query(sql, parameters).first?.first
    }

    /// `PRAGMA integrity_check` answers: `["ok"]` for a sound file, otherwise one line per problem.
    public func integrityCheck() throws -> [String] {
        try query("PRAGMA integrity_check").compactMap { $0.first?.string }
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var changes: Int { Int(sqlite3_changes(handle)) }
    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// The journal mode after asking for `mode` (SQLite answers with the mode actually in force).
    @discardableResult
    public func setJournalMode(_ mode: String) throws -> String {
        let rows = try query("PRAGMA journal_mode=\(mode)")
        return rows.first?.first?.string ?? ""
    }
}
