import Dispatch
import Foundation
import HTTP1
import OpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// A hand-rolled HTTP/1.1 server over non-blocking POSIX sockets, epoll (`EventLoop`) and Dispatch.
///
/// Build a router, then `start()`; `shutdown(deadline:)` stops gracefully. The server knows
/// nothing about its handlers' domain.
public final class HTTPServer: @unchecked Sendable {
    public let configuration: HTTPServerConfiguration
    let context: ServerContext
    private let acceptQueue = DispatchQueue(label: "thaw.http.accept", qos: .userInitiated)
    let lock = NSLock()
    private var listeners: [Listener] = []
    private var sweeper: DispatchSourceTimer?
    var signalSource: DispatchSourceRead?
    private var started = false

    public init(configuration: HTTPServerConfiguration = HTTPServerConfiguration(), router: HTTPRouter) throws(HTTPServerError) {
        self.configuration = configuration
        var tls: TLSContext?
        if let files = configuration.tls {
            do {
                tls = try TLSContext(certificateFile: files.certificatePath, privateKeyFile: files.privateKeyPath)
            } catch {
                throw .tls(error.message)
            }
        }
        self.context = ServerContext(configuration: configuration, router: router, tls: tls)
    }

    /// Open connections right now.
    public var connectionCount: Int { context.connectionCount }

    /// The bound port once started.
    public var port: UInt16? { lock.withLock { listeners.first?.port } }

    /// Binds every configured host and starts accepting. Returns the port (the chosen one when
    /// the configuration says 0). Also ignores SIGPIPE and raises RLIMIT_NOFILE if configured.
    @discardableResult
    public func start() throws(HTTPServerError) -> UInt16 {
        let already: Bool = lock.withLock {
            defer { started = true }
            return started
        }
        if already { throw .alreadyStarted }
        signal(SIGPIPE, SIG_IGN)
        if configuration.raiseOpenFileLimit {
            // Two descriptors of slack per connection cover listeners, the database and logs.
            Socket.raiseOpenFileLimit(to: configuration.maxConnections * 2 + 64)
        }
        try context.startLoops()
        let bound: [Listener]
        do { bound = try bindAll() } catch {
            context.stopLoops()
            throw error
        }
        lock.withLock { listeners = bound }
        for listener in bound { listener.resume() }
        startSweeper()
        return bound[0].port
    }

    /// With port 0 the first host picks the port and the others must get the same one; if another
    /// process holds it on a later host, try again with a fresh port.
    private func bindAll() throws(HTTPServerError) -> [Listener] {
        var lastError = HTTPServerError.invalidAddress(host: "", reason: "no hosts configured")
        for _ in 0..<8 {
            var sockets: [(fd: Int32, host: String, port: UInt16)] = []
            var port = configuration.port
            do {
                for host in configuration.hosts {
                    let (fd, bound) = try Socket.listen(host: host, port: port, backlog: configuration.backlog)
                    sockets.append((fd, host, bound))
                    port = bound
                }
                guard !sockets.isEmpty else { break }
                return sockets.map { s in
                    Listener(fd: s.fd, host: s.host, port: s.port, queue: acceptQueue) { [context] fd, peer in
                        HTTPServer.accepted(fd: fd, peer: peer, context: context)
                    }
                }
            } catch {
                for s in sockets { _ = close(s.fd) }
                lastError = error
                if configuration.port != 0 { throw error }
            }
        }
        throw lastError
    }

    static func accepted(fd: Int32, peer: String, context: ServerContext) {
        let transport: Transport
        if let tls = context.tls {
            guard let session = try? tls.makeSession(fd: fd) else {
                _ = close(fd)
                return
            }
            transport = TLSTransport(fd: fd, session: session)
        } else {
            transport = PlainTransport(fd: fd)
        }
        let connection = Connection(context: context, fd: fd, peer: peer, transport: transport)
        guard context.register(connection) else {
            refuse(fd) // over the cap, or shutting down
            return
        }
        connection.start()
    }

    /// Over the connection cap: one best-effort 503 and close, so the backlog does not fill.
    private static func refuse(_ fd: Int32) {
        var head = Array("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n".utf8)
        let body = HTTPJSON.errorBody(code: "too_many_connections", message: "connection limit reached")
        head += Array("Content-Length: \(body.count)\r\nRetry-After: 1\r\n\r\n".utf8) + body
        _ = head.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        _ = close(fd)
    }

    /// One timer for all connections: each publishes its next deadline, the sweep pokes the
    /// overdue ones. Tick = a quarter of the shortest timeout, between 20 ms and 1 s.
    private func startSweeper() {
        let t = context.timeouts
        let shortest = [t.header, t.body, t.idle, t.write, t.linger, t.heartbeat].filter { $0 > 0 }.min() ?? UInt64(1_000_000_000)
        let tick = min(1_000_000_000, max(20_000_000, shortest / 4))
        let timer = DispatchSource.makeTimerSource(queue: acceptQueue)
        timer.schedule(deadline: .now() + .nanoseconds(Int(tick)), repeating: .nanoseconds(Int(tick)), leeway: .milliseconds(5))
        timer.setEventHandler { [context] in
            let now = Connection.now()
            for connection in context.snapshot() where connection.isDue(now) { connection.timerFired() }
        }
        timer.resume()
        sweeper = timer
    }

    /// Graceful stop: close the listeners, let in-flight requests finish, end event streams with
    /// the configured final event, and after `deadline` seconds close whatever is left.
    /// Blocks the caller; returns true if every connection ended before the deadline.
    @discardableResult
    public func shutdown(deadline: Double = 10) -> Bool {
        let current: [Listener] = lock.withLock {
            defer { listeners = [] }
            return listeners
        }
        for listener in current { listener.cancel() }
        let drained = context.beginShutdown()
        for connection in context.snapshot() { connection.beginShutdown() }
        let clean = drained.wait(timeout: .now() + deadline) == .success
        if !clean {
            for connection in context.snapshot() { connection.forceClose() }
            _ = drained.wait(timeout: .now() + 2)
        }
        lock.withLock {
            sweeper?.cancel()
            sweeper = nil
        }
        context.stopLoops()
        return clean
    }
}
