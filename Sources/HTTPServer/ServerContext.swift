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
