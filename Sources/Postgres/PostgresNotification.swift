import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// One notification from `NOTIFY channel, 'payload'` / `pg_notify(channel, payload)`, received by a
/// connection that LISTENs on the channel. The server delivers it only once the notifying transaction
/// commits (never for one rolled back), once per distinct channel and payload per transaction.
public struct PostgresNotification: Sendable, Equatable {
    public var channel: String
    public var payload: String
    /// The server process id of the connection that sent it (`PostgresConnection.backendPID` there).
    public var senderPID: Int32

    public init(channel: String, payload: String, senderPID: Int32) {
        self.channel = channel
        self.payload = payload
        self.senderPID = senderPID
    }
}

extension PostgresConnection {
    /// The server process serving this connection (what `senderPID` names for its notifications).
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// The connection's socket, for poll(); -1 when it is not connected.
    public var socket: Int32 { PQsocket(handle) }

    /// `LISTEN "channel"`: from the next commit on, notifications on it are queued for this connection.
    /// The name is quoted by libpq, so any text (case kept) names one channel; 1 to 63 bytes, as the
    /// server's identifiers are.
    public func listen(_ channel: String) throws(PostgresError) {
        try execute("LISTEN " + quotedIdentifier(channel))
    }

    public func unlisten(_ channel: String) throws(PostgresError) {
        try execute("UNLISTEN " + quotedIdentifier(channel))
    }

    /// `pg_notify(channel, payload)`: inside a transaction it is sent on COMMIT (and dropped on
    /// ROLLBACK); outside one, at once.
    public func notify(_ channel: String, payload: String = "") throws(PostgresError) {
        try Self.validate(channel: channel)
        try query("SELECT pg_notify($1, $2)", [PostgresParameter(channel), PostgresParameter(payload)])
    }

    /// Reads whatever the server has sent without blocking and returns the notifications queued so
    /// far (oldest first; empty when none). Throws `.connection` when the connection broke.
    public func notifications() throws(PostgresError) -> [PostgresNotification] {
        guard PQconsumeInput(handle) == 1 else {
            throw PostgresError(kind: .connection, message: String(cString: PQerrorMessage(handle)).trimmed)
        }
        return drainNotifications()
    }

    /// Blocks in poll() on the connection's socket until a notification arrives, `timeout` seconds
    /// pass (then returns empty), or `interrupt` (a file descriptor, e.g. a pipe's read end) becomes
    /// readable (returns empty; the caller drains it). Throws `.connection` when the connection broke.
    public func waitForNotifications(timeout: Double, interrupt: Int32? = nil) throws(PostgresError) -> [PostgresNotification] {
        // Notifications that came in with an earlier statement's answer are already parsed.
        let queued = drainNotifications()
        if !queued.isEmpty { return queued }
        let fd = socket
        guard fd >= 0 else { throw PostgresError(kind: .connection, message: "the connection has no socket") }
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        if let interrupt { fds.append(pollfd(fd: interrupt, events: Int16(POLLIN), revents: 0)) }
        let milliseconds = Int32(max(0, min(timeout, 86_400)) * 1000)
        let ready = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), milliseconds) }
        if ready < 0 {
            if errno == EINTR { return [] }
            throw PostgresError(kind: .connection, message: "poll() on the connection failed: errno \(errno)")
        }
        if ready == 0 || fds[0].revents == 0 { return [] }
        return try notifications()
    }

    private func drainNotifications() -> [PostgresNotification] {
        var out: [PostgresNotification] = []
        while let raw = PQnotifies(handle) {
            let notify = raw.pointee
            out.append(PostgresNotification(channel: String(cString: notify.relname),
                                            payload: String(cString: notify.extra), senderPID: notify.be_pid))
            PQfreemem(raw)
        }
        return out
    }

    /// `channel` as a double-quoted identifier, escaped by libpq.
    private func quotedIdentifier(_ channel: String) throws(PostgresError) -> String {
        try Self.validate(channel: channel)
        guard let escaped = PQescapeIdentifier(handle, channel, channel.utf8.count) else {
            throw PostgresError(kind: .connection, message: String(cString: PQerrorMessage(handle)).trimmed)
        }
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }

    /// The server truncates identifiers past 63 bytes (so LISTEN would name another channel than a
    /// pg_notify of the full text, which it refuses instead): refused here for both, with the reason.
    static func validate(channel: String) throws(PostgresError) {
        guard (1...63).contains(channel.utf8.count), !channel.utf8.contains(0) else {
            throw PostgresError(kind: .invalidArgument,
                                message: "a channel name must be 1 to 63 bytes without NUL, got \(channel.utf8.count) bytes")
        }
    }
}
