/// An error from libpq or the server, typed so callers can tell a refused statement from a lost
/// connection without parsing text.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The connection could not be opened, or broke (server gone, network down): the statement's
        /// outcome is unknown; `PostgresConnection.reset()` reconnects.
        case connection
        /// The server refused the statement; `sqlstate` is its five-character code (e.g. "23505").
        case server(sqlstate: String)
        /// libpq answered with something this wrapper did not expect (e.g. COPY mode).
        case protocolViolation
        /// The caller passed something the call cannot take (e.g. a channel name over 63 bytes);
        /// nothing was sent to the server.
        case invalidArgument
    }

    public let kind: Kind
    public let message: String
    public let sql: String?

    public init(kind: Kind, message: String, sql: String? = nil) {
        self.kind = kind
        self.message = message
        self.sql = sql
    }

    public var sqlstate: String? { if case .server(let code) = kind { return code }; return nil }

    /// Class 23 (integrity constraint violation): CHECK, UNIQUE, NOT NULL or FOREIGN KEY refused it.
    public var isConstraintViolation: Bool { sqlstate?.hasPrefix("23") ?? false }

    /// Class 53 (insufficient resources), e.g. 53100 disk_full.
    public var isDiskFull: Bool { sqlstate == "53100" }

    public var description: String {
        let prefix: String
        switch kind {
        case .connection: prefix = "PostgreSQL connection error"
        case .server(let code): prefix = "PostgreSQL error \(code)"
        case .protocolViolation: prefix = "PostgreSQL protocol error"
        case .invalidArgument: prefix = "PostgreSQL call refused"
        }
        if let sql { return "\(prefix): \(message) (in: \(sql))" }
        return "\(prefix): \(message)"
    }
}
