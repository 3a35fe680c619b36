import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One dedicated connection that LISTENs on a set of channels and hands each notification to a
/// handler, on a thread of its own that blocks in poll() on the connection's socket (no polling of
/// the server). When the connection breaks (server restart, `pg_terminate_backend`, network) it
/// reconnects with exponential backoff and LISTENs again; notifications sent while it was away are
/// lost (the server queues them only for listening sessions), so the handler is told `.connected
/// (reconnect: true)` to look at the store for whatever it may have missed.
///
/// An idle connection whose peer vanished without a FIN (a cut network) shows nothing on its
/// socket, so after `probeInterval` seconds without traffic the listener sends `SELECT 1`: a dead
/// connection then fails within TCP's own timeouts and is replaced.
public final class PostgresListener: @unchecked Sendable {
    public enum Event: Sendable {
        /// LISTEN is in place on every channel; `reconnect` after a connection was lost (anything
        /// sent meanwhile was missed).
        case connected(reconnect: Bool)
        case notification(PostgresNotification)
        /// The connection could not be opened or broke; the listener retries after `retryIn` seconds.
        case disconnected(PostgresError, retryIn: Double)
    }

    public let channels: [String]
    private let uri: String
    private let handler: @Sendable (Event) -> Void
    private let initialBackoff: Double
    private let maxBackoff: Double
    private let probeInterval: Double
    private let lock = NSLock()
    private var stopped = false
    private var thread: Thread?
    /// Written by `stop()` so the thread's poll() returns at once.
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let exited = DispatchSemaphore(value: 0)

    /// `channels`: each 1 to 63 bytes (checked here, so a bad name fails at once, not on the thread).
    public init(uri: String, channels: [String], initialBackoff: Double = 0.1, maxBackoff: Double = 5,
                probeInterval: Double = 30, handler: @escaping @Sendable (Event) -> Void) throws(PostgresError) {
        for channel in channels { try PostgresConnection.validate(channel: channel) }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw PostgresError(kind: .connection, message: "pipe() failed: errno \(errno)")
        }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        wakeRead = fds[0]
        wakeWrite = fds[1]
        self.uri = uri
        self.channels = channels
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.probeInterval = probeInterval
        self.handler = handler
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Starts the thread (once); the first `.connected` follows as soon as LISTEN is in place.
    public func start() {
        lock.withLock {
            guard thread == nil, !stopped else { return }
            let thread = Thread { [self] in run() }
            thread.name = "thaw-pg-listener"
            self.thread = thread
            thread.start()
        }
    }

    /// Stops the thread and closes the connection. Returns once the thread has exited, or after
    /// `wait` seconds if it is still inside a connection attempt (libpq's connect blocks; the thread
    /// then exits as soon as that returns and calls the handler no more). Idempotent.
    public func stop(wait: Double = 2) {
        let started = lock.withLock { () -> Bool in
            let wasRunning = thread != nil && !stopped
            stopped = true
            return wasRunning
        }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        if started { _ = exited.wait(timeout: .now() + wait) }
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func run() {
        defer { exited.signal() }
        var delay = initialBackoff
        var connectedBefore = false
        while !isStopped {
            let connection: PostgresConnection
            do {
                connection = try PostgresConnection(uri: uri)
                for channel in channels { try connection.listen(channel) }
            } catch {
                if isStopped { return }
                handler(.disconnected(error, retryIn: delay))
                pause(delay)
                delay = min(delay * 2, maxBackoff)
                continue
            }
            if isStopped { return }
            delay = initialBackoff
            handler(.connected(reconnect: connectedBefore))
            connectedBefore = true
            do {
                try listen(on: connection)
                return  // stopped
            } catch {
                if isStopped { return }
                handler(.disconnected(error, retryIn: delay))
                pause(delay)
            }
        }
    }

    /// Hands notifications on until `stop()` (returns) or the connection breaks (throws).
    private func listen(on connection: PostgresConnection) throws(PostgresError) {
        var quietSince = Date()
        while true {
            let received = try connection.waitForNotifications(timeout: probeInterval, interrupt: wakeRead)
            if isStopped { return }
            if received.isEmpty {
                if Date().timeIntervalSince(quietSince) >= probeInterval {
                    try connection.execute("SELECT 1")  // throws on a connection that is gone
                    quietSince = Date()
                }
                continue
            }
            quietSince = Date()
            for notification in received { handler(.notification(notification)) }
        }
    }

    /// Sleeps `seconds`, or less when `stop()` is called.
    private func pause(_ seconds: Double) {
        var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        _ = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, 1, Int32(seconds * 1000)) }
    }
}
