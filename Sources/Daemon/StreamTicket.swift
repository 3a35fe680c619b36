import Foundation

/// One of the `max_streams` event-stream slots, held for as long as the stream lives: the SSE
/// route takes one before answering (so the cap can still be a 503), the publisher keeps it with
/// the subscriber, and the slot is given back when the last holder lets go — also when a response
/// never started streaming (HEAD, or the client left first).
final class StreamTicket: Sendable {
    private let release: @Sendable () -> Void

    init(release: @escaping @Sendable () -> Void) { self.release = release }

    deinit { release() }
}

/// Counts open event streams against a cap. Thread-safe.
final class StreamLimiter: @unchecked Sendable {
    let limit: Int
    private let lock = NSLock()
    private var open = 0

    init(limit: Int) { self.limit = limit }

    var openStreams: Int { lock.withLock { open } }

    /// A slot, or nil when `limit` streams are open.
    func reserve() -> StreamTicket? {
        let granted: Bool = lock.withLock {
            guard open < limit else { return false }
            open += 1
            return true
        }
        return granted ? StreamTicket { [self] in lock.withLock { open -= 1 } } : nil
    }
}
