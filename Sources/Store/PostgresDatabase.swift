import Foundation
import Postgres
import SQLite

/// The Store's PostgreSQL connection: `DatabaseConnection` over libpq (`PostgresConnection`).
///
/// Rewrites the Store's `?` / `?N` placeholders to `$n`, sends integers as int8, reals as float8,
/// blobs as bytea and text untyped (the server infers it from the column or function), and reads
/// cells back into `SQLiteValue`s by column type (booleans become 1/0, as SQLite answers them).
///
/// Reconnects: when libpq reports the connection broken, the next statement outside a transaction
/// first resets it and replays `sessionSetup` (settings, the advisory lock). On the Store's own
/// connection the statement that met the break throws (`StoreError.postgres` with sqlstate "08006"):
/// its outcome is unknown, and the Store's transaction it belonged to is lost as a whole, never
/// half-applied. A read-only connection (`readOnly`, the reader pool's) instead reconnects and runs
/// the statement once more, since a read outside a transaction changes nothing when repeated.
final class PostgresDatabase: DatabaseConnection {
    let uri: String
    private let connection: PostgresConnection
    /// Run after every (re)connect; throws to refuse the session (e.g. the lock is held elsewhere).
    private let sessionSetup: (PostgresDatabase) throws -> Void
    private var placeholderCache: [String: String] = [:]
    /// Set for connections whose session is read-only: a statement cut off by a broken connection
    /// outside a transaction is retried once after reconnecting.
    let readOnly: Bool

    var dialect: SQLDialect { .postgres }

    init(uri: String, readOnly: Bool = false, sessionSetup: @escaping (PostgresDatabase) throws -> Void = { _ in }) throws {
        self.uri = uri
        self.readOnly = readOnly
        connection = try PostgresConnection(uri: uri)
        self.sessionSetup = sessionSetup
        try sessionSetup(self)
    }

    var isInTransaction: Bool { connection.isInTransaction }

    func execute(_ sql: String) throws {
        try reconnectIfBroken()
        try connection.execute(sql)
    }

    func query(_ sql: String, _ parameters: [SQLiteValue]) throws -> [[SQLiteValue]] {
        try reconnectIfBroken()
        let text = numbered(sql)
        let values = parameters.map(Self.parameter)
        let result = try run(text, values)
        return try result.rows.map { cells in
            try zip(cells, result.columnTypes).map { try Self.value($0, $1) }
        }
    }

    func query(cached sql: String, _ parameters: [SQLiteValue]) throws -> [[SQLiteValue]] {
        try query(sql, parameters)
    }

    /// The statement, once more after a reconnect when a read-only connection broke under it.
    private func run(_ text: String, _ values: [PostgresParameter]) throws -> PostgresResult {
        let first = Result { () throws(PostgresError) -> PostgresResult in try connection.query(text, values) }
        guard case .failure(let error) = first, readOnly, error.kind == .connection, !connection.isInTransaction else {
            return try first.get()
        }
        try reconnectIfBroken()
        return try connection.query(text, values)
    }

    private func reconnectIfBroken() throws {
        guard !connection.isHealthy, !connection.isInTransaction else { return }
        try connection.reset()
        placeholderCache.removeAll()
        try sessionSetup(self)
    }

    /// `sql` with `?` → `$1, $2, …` in order and `?N` → `$N`, outside quoted literals and identifiers.
    private func numbered(_ sql: String) -> String {
        if let cached = placeholderCache[sql] { return cached }
        var out = ""
        var next = 1
        var quote: Character?
        var index = sql.startIndex
        while index < sql.endIndex {
            let c = sql[index]
            index = sql.index(after: index)
            if let open = quote {
                out.append(c)
                if c == open { quote = nil }
                continue
            }
            if c == "'" || c == "\"" {
                quote = c
                out.append(c)
                continue
            }
            guard c == "?" else { out.append(c); continue }
            var digits = ""
            while index < sql.endIndex, let d = sql[index].wholeNumberValue, d >= 0 {
                digits.append(sql[index])
                index = sql.index(after: index)
            }
            if digits.isEmpty {
                out += "$\(next)"
                next += 1
            } else {
                out += "$" + digits
            }
        }
        if placeholderCache.count < 512 { placeholderCache[sql] = out }
        return out
    }

    private static func parameter(_ value: SQLiteValue) -> PostgresParameter {
        switch value {
        case .null: return PostgresParameter(nil)
        case .integer(let v): return PostgresParameter(String(v), type: .int8)
        case .real(let v): return PostgresParameter(v.isFinite ? "\(v)" : (v.isNaN ? "NaN" : (v > 0 ? "Infinity" : "-Infinity")), type: .float8)
        case .text(let v): return PostgresParameter(v)
        case .blob(let v): return PostgresParameter("\\x" + v.map { String(format: "%02x", $0) }.joined(), type: .bytea)
        }
    }

    private static func value(_ cell: String?, _ type: PostgresType) throws -> SQLiteValue {
        guard let cell else { return .null }
        switch type {
        case .bool: return .integer(cell == "t" ? 1 : 0)
        case .int2, .int4, .int8:
            guard let v = Int64(cell) else { throw PostgresError(kind: .protocolViolation, message: "integer cell '\(cell)'") }
            return .integer(v)
        case .float4, .float8:
            guard let v = Double(cell) else { throw PostgresError(kind: .protocolViolation, message: "float cell '\(cell)'") }
            return .real(v)
        case .numeric:
            if let v = Int64(cell) { return .integer(v) }
            guard let v = Double(cell) else { throw PostgresError(kind: .protocolViolation, message: "numeric cell '\(cell)'") }
            return .real(v)
        case .bytea: return .blob(hexBytes(cell))
        default: return .text(cell)
        }
    }

    /// bytea's hex output (`\x0a1b…`).
    private static func hexBytes(_ text: String) -> [UInt8] {
        let digits = Array(text.utf8.dropFirst(2))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var i = 0
        while i + 1 < digits.count {
            let pair = String(decoding: digits[i...i + 1], as: UTF8.self)
            bytes.append(UInt8(pair, radix: 16) ?? 0)
            i += 2
        }
        return bytes
    }
}
