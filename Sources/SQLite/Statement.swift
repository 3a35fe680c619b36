import CSQLite

/// A prepared statement; finalized when released.
public final class Statement {
    let database: Database
    let handle: OpaquePointer
    let sql: String

    /// Whether `deinit` finalizes the handle (not for the database's cached statements, which it
    /// finalizes itself before closing).
    private let owned: Bool

    init(database: Database, sql: String) throws {
        self.database = database
        self.handle = try Self.prepare(database, sql)
        self.sql = sql
        self.owned = true
    }

    /// A cached handle, used for one query and reset by the caller.
    init(database: Database, sql: String, cached handle: OpaquePointer) {
        self.database = database
        self.handle = handle
        self.sql = sql
        self.owned = false
    }

    static func prepare(_ database: Database, _ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(database.handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw SQLiteError(code: rc, message: database.lastMessage, sql: sql)
        }
        return statement
    }

    deinit { if owned { sqlite3_finalize(handle) } }

    func bind(_ values: [SQLiteValue]) throws {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(handle, index)
            case .integer(let v): rc = sqlite3_bind_int64(handle, index, v)
            case .real(let v): rc = sqlite3_bind_double(handle, index, v)
            case .text(let v): rc = sqlite3_bind_text(handle, index, v, -1, thaw_sqlite_transient())
            case .blob(let v):
                rc = v.withUnsafeBytes {
                    sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), thaw_sqlite_transient())
                }
            }
            guard rc == SQLITE_OK else {
                throw SQLiteError(code: rc, message: database.lastMessage, sql: sql)
            }
        }
    }

    /// The next row, or nil when done.
    func step() throws -> [SQLiteValue]? {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_DONE { return nil }
        guard rc == SQLITE_ROW else { throw SQLiteError(code: rc, message: database.lastMessage, sql: sql) }
        let count = sqlite3_column_count(handle)
        var row: [SQLiteValue] = []
        row.reserveCapacity(Int(count))
        for column in 0..<count {
            switch sqlite3_column_type(handle, column) {
            case SQLITE_INTEGER: row.append(.integer(sqlite3_column_int64(handle, column)))
            case SQLITE_FLOAT: row.append(.real(sqlite3_column_double(handle, column)))
            case SQLITE_TEXT: row.append(.text(String(cString: sqlite3_column_text(handle, column))))
            case SQLITE_BLOB:
                let length = Int(sqlite3_column_bytes(handle, column))
                if length == 0 { row.append(.blob([])); break }
                let pointer = sqlite3_column_blob(handle, column)!
                row.append(.blob(Array(UnsafeRawBufferPointer(start: pointer, count: length))))
            default: row.append(.null)
            }
        }
        return row
    }
}
