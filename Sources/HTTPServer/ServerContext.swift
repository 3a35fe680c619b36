import Dispatch
import Foundation
import HTTP1
import OpenSSL

/// What every connection shares: configuration, router, queues, TLS context and the registry of
/// open connections (for the cap, the timeout sweep and shutdown).
final class ServerContext: @unchecked Sendable {
    let configuration: HTTPServerConfiguration
    let router: HTTPRouter
    let timeouts: ConnectionTimeouts
    let parser: HTTPRequestParser
    /// Present when serving HTTPS.
    let tls: TLSContext?
    /// Connection queues target this, so I/O of different connections runs in parallel.
    let ioQueue = DispatchQueue(label: "thaw.http.io", qos: .userInitiated, attributes: .concurrent)

    private let lock = NSLock()
    /// Started by `startLoops`; new connections go to each in turn.
    private var loops: [EventLoop] = []
    private var nextLoopIndex = 0
    private var connections: [ObjectIdentifier: Connection] = [:]
    private var drained: DispatchSemaphore?
    private var stopping = false

    init(configuration: HTTPServerConfiguration, router: HTTPRouter, tls: TLSContext?) {
        self.tls = tls
        self.configuration = configuration
        self.router = router
        self.timeouts = ConnectionTimeouts(configuration)
        self.parser = HTTPRequestParser(limits: configuration.parserLimits)
    }

    deinit { for loop in loops { loop.stop() } }

    func startLoops() throws(HTTPServerError) {
        var started: [EventLoop] = []
        do {
            for index in 0..<max(1, configuration.eventLoops) {
                started.append(try EventLoop(name: "thaw.http.loop.\(index)"))
            }
        } catch {
            for loop in started { loop.stop() }
            throw error
        }
        lock.withLock { loops = started }
    }

    /// The loop for a new connection: round robin.
    func nextLoop() -> EventLoop? {
        lock.withLock {
            guard !loops.isEmpty else { return nil }
            defer { nextLoopIndex = (nextLoopIndex + 1) % loops.count }
            return loops[nextLoopIndex]
        }
    }

    /// After the last connection is gone: the loop threads end.
    func stopLoops() {
        let current: [EventLoop] = lock.withLock {
            defer { loops = [] }
            return loops
        }
        for loop in current { loop.stop() }
    }

    var connectionCount: Int { lock.withLock { connections.count } }

    /// False when the cap is reached or the server is shutting down.
    func register(_ connection: Connection) -> Bool {
        lock.withLock {
            guard !stopping, connections.count < configuration.maxConnections else { return false }
            connections[ObjectIdentifier(connection)] = connection
            return true
        }
    }

    func remove(_ connection: Connection) {
        let semaphore: DispatchSemaphore? = lock.withLock {
            connections[ObjectIdentifier(connection)] = nil
            return connections.isEmpty ? drained : nil
        }
        semaphore?.signal()
    }

    func snapshot() -> [Connection] { lock.withLock { Array(connections.values) } }

    /// Refuses new connections from now on and returns a semaphore signalled when the last open
    /// connection closes (at once if none is open).
    func beginShutdown() -> DispatchSemaphore {
        let semaphore = DispatchSemaphore(value: 0)
        let empty: Bool = lock.withLock {
            stopping = true
            drained = semaphore
            return connections.isEmpty
        }
        if empty { semaphore.signal() }
        return semaphore
    }
}
