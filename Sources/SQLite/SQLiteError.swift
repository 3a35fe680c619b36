import CSQLite

/// An error from SQLite with the result code and the connection's message at the time.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String
    public let sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The primary result code (`SQLITE_CONSTRAINT`, `SQLITE_BUSY`, …) with the extended bits masked off;
    /// the connection turns extended codes on, so `code` alone is e.g. `SQLITE_CONSTRAINT_UNIQUE` (2067).
    public var primaryCode: Int32 { code & 0xff }

    /// A CHECK, UNIQUE, NOT NULL or FOREIGN KEY constraint refused the statement; the database is unchanged
    /// by that statement.
    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }

    public var description: String {
        if let sql { return "SQLite error \(code): \(message) (in: \(sql))" }
        return "SQLite error \(code): \(message)"
    }
}
