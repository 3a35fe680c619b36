import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection. Not thread-safe by itself: the Store owns it behind a serial queue.
///
/// Opened from a connection URI (`postgresql://user@host:port/db?...`); libpq itself reads the
/// password from the URI, `PGPASSWORD` or `~/.pgpass`, and every other `PG*` variable, so this
/// wrapper adds no configuration of its own.
public final class PostgresConnection {
    let handle: OpaquePointer

    public init(uri: String) throws(PostgresError) {
        guard let handle = PQconnectdb(uri) else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
        }
        self.handle = handle
        // A throw from here on still runs deinit (every property is set), which finishes the handle.
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(kind: .connection, message: Self.message(handle))
        }
        // Notices (e.g. "relation already exists, skipping") would go to stderr; thawd logs its own way.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    deinit { PQfinish(handle) }

    /// False once the connection broke; `reset()` tries to reconnect.
    public var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Reconnects with the same parameters (session state such as advisory locks is gone).
    public func reset() throws(PostgresError) {
        PQreset(handle)
        guard isHealthy else { throw PostgresError(kind: .connection, message: Self.message(handle)) }
    }

    /// True while a transaction block is open (also when it failed and awaits ROLLBACK).
    public var isInTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// The server's version number, e.g. 150018 for 15.18.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// Runs one or more statements without parameters (a migration script); rows are discarded.
    public func execute(_ sql: String) throws(PostgresError) {
        guard let result = PQexec(handle, sql) else { throw lost(sql) }
        defer { PQclear(result) }
        try check(result, sql)
    }

    /// Runs one statement with `$1`, `$2`, … parameters (text format) and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresParameter] = []) throws(PostgresError) -> PostgresResult {
        let types = parameters.map { $0.type?.oid ?? 0 }
        // strdup'd copies: the C strings must outlive the call, and withCString nests badly over an array.
        let values: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.text.map { strdup($0) } ?? nil }
        defer { values.forEach { free($0) } }
        let raw = values.map { UnsafePointer($0) }
        let result = types.withUnsafeBufferPointer { typeBuffer in
            raw.withUnsafeBufferPointer { valueBuffer in
                PQexecParams(handle, sql, Int32(parameters.count), typeBuffer.baseAddress, valueBuffer.baseAddress,
                             nil, nil, 0)
            }
        }
        guard let result else { throw lost(sql) }
        defer { PQclear(result) }
        try check(result, sql)
        let columns = Int(PQnfields(result))
        let count = Int(PQntuples(result))
        var rows: [[String?]] = []
        rows.reserveCapacity(count)
        for row in 0..<Int32(count) {
            var cells: [String?] = []
            cells.reserveCapacity(columns)
            for column in 0..<Int32(columns) {
                if PQgetisnull(result, row, column) == 1 {
                    cells.append(nil)
                } else {
                    cells.append(String(cString: PQgetvalue(result, row, column)))
                }
            }
            rows.append(cells)
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresResult(
            columnTypes: (0..<Int32(columns)).map { PostgresType(oid: PQftype(result, $0)) },
            rows: rows, affectedRows: affected)
    }

    private func check(_ result: OpaquePointer, _ sql: String) throws(PostgresError) {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY: return
        case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR:
            if let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))) {
                throw PostgresError(kind: .server(sqlstate: String(cString: state)),
                                    message: String(cString: PQresultErrorMessage(result)).trimmed, sql: sql)
            }
            throw lost(sql)
        default:
            throw PostgresError(kind: .protocolViolation,
                                message: String(cString: PQresStatus(PQresultStatus(result))), sql: sql)
        }
    }

    /// An error without a SQLSTATE: libpq lost the server (or never reached it).
    private func lost(_ sql: String) -> PostgresError {
        PostgresError(kind: .connection, message: Self.message(handle), sql: sql)
    }

    private static func message(_ handle: OpaquePointer) -> String {
        String(cString: PQerrorMessage(handle)).trimmed
    }
}

extension String {
    var trimmed: String {
        var text = self
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
