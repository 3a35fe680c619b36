import SQLite

/// What the Store needs from a database engine: statements with positional `?` parameters, rows of
/// `SQLiteValue`s (the Store's one value type, whichever engine answered), and whether a transaction
/// is open. Two implementations: SQLite's `Database` (the embedded default) and `PostgresDatabase`.
/// Everything engine-specific that is not in the SQL text the Store writes is in `dialect`.
protocol DatabaseConnection: AnyObject {
    var dialect: SQLDialect { get }
    /// One or more statements without parameters (migrations); rows discarded.
    func execute(_ sql: String) throws
    func query(_ sql: String, _ parameters: [SQLiteValue]) throws -> [[SQLiteValue]]
    /// `query` for a few fixed hot statements an engine may keep prepared.
    func query(cached sql: String, _ parameters: [SQLiteValue]) throws -> [[SQLiteValue]]
    /// True while a transaction is open on this connection (also one that failed and awaits ROLLBACK).
    var isInTransaction: Bool { get }
}

extension DatabaseConnection {
    func query(_ sql: String) throws -> [[SQLiteValue]] { try query(sql, []) }
    func scalar(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> SQLiteValue? {
        try query(sql, parameters).first?.first
    }
}

extension Database: DatabaseConnection {
    var dialect: SQLDialect { .sqlite }
    var isInTransaction: Bool { !isAutocommit }
}
