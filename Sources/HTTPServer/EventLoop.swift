import CEpoll
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What an `EventLoop` calls when a registered socket is ready. Runs on the loop's thread.
protocol ReadinessHandler: AnyObject, Sendable {
    func socketReady(readable: Bool, writable: Bool)
}

/// Socket readiness for connections: one epoll set watched by one thread.
///
/// Why not Dispatch sources: on Linux, libdispatch waits for every source in its manager thread
/// and runs each event on a pool thread, so each request on a keep-alive connection cost two
/// thread wake-ups before any HTTP work (under `wrk -c64`, 30% of thawd's samples were the
/// kernel switching tasks: issue #15). Here the thread that waits in `epoll_wait` runs the
/// connection's handler itself (`Connection.socketReady` enters the connection's queue with
/// `sync`, which runs on the calling thread when the queue is idle), as nginx's workers do. The
/// server runs a few loops (about one per core) and gives each new connection to the next.
///
/// Level-triggered: a connection declares what it waits for (`Registration.watch`), and a socket
/// that waits for nothing is taken out of the set, since epoll reports hang-ups and errors even to
/// an empty interest and would wake the loop again and again for a paused connection.
final class EventLoop: @unchecked Sendable {
    private let epoll: Int32
    /// Written once to stop the thread; watched under token 0.
    private let wake: Int32
    private let lock = NSLock()
    private var handlers: [UInt64: Entry] = [:]
    private var nextToken: UInt64 = 1
    private var stopped = false

    private struct Entry {
        let fd: Int32
        let handler: any ReadinessHandler
        /// The epoll mask now in the set; 0 = not in the set.
        var mask: UInt32
    }

    static let readMask = EPOLLIN.rawValue
    static let writeMask = EPOLLOUT.rawValue

    init(name: String) throws(HTTPServerError) {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw .eventLoop("epoll_create1: \(String(cString: strerror(errno)))") }
        wake = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        guard wake >= 0 else {
            _ = close(epoll)
            throw .eventLoop("eventfd: \(String(cString: strerror(errno)))")
        }
        var event = epoll_event(events: Self.readMask, data: epoll_data_t(u64: 0))
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, wake, &event) == 0 else {
            _ = close(wake)
            _ = close(epoll)
            throw .eventLoop("epoll_ctl: \(String(cString: strerror(errno)))")
        }
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.qualityOfService = .userInitiated
        thread.start()
    }

    /// Watches `fd` for reading from now on; nil if the kernel refused (the caller closes).
    func register(fd: Int32, handler: any ReadinessHandler) -> Registration? {
        let token: UInt64? = lock.withLock {
            guard !stopped else { return nil }
            let token = nextToken
            nextToken += 1
            var event = epoll_event(events: Self.readMask, data: epoll_data_t(u64: token))
            guard epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0 else { return nil }
            handlers[token] = Entry(fd: fd, handler: handler, mask: Self.readMask)
            return token
        }
        return token.map { Registration(loop: self, token: $0) }
    }

    /// One connection's place in the loop. Calls come from the connection's queue only.
    struct Registration {
        fileprivate let loop: EventLoop
        fileprivate let token: UInt64

        /// What the socket waits for now. Unchanged masks make no system call.
        func watch(read: Bool, write: Bool) {
            loop.setMask(token, (read ? EventLoop.readMask : 0) | (write ? EventLoop.writeMask : 0))
        }

        /// Out of the set and forgotten: the loop starts no call for this socket after this
        /// returns. One it had already started may still arrive (for a connection it waits for the
        /// connection's queue and finds it closed).
        func cancel() { loop.remove(token) }
    }

    private func setMask(_ token: UInt64, _ mask: UInt32) {
        lock.withLock {
            guard !stopped, var entry = handlers[token], entry.mask != mask else { return }
            var event = epoll_event(events: mask, data: epoll_data_t(u64: token))
            let op = entry.mask == 0 ? EPOLL_CTL_ADD : mask == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD
            // A failure leaves the old mask recorded; the connection's timeouts still close it.
            guard epoll_ctl(epoll, op, entry.fd, &event) == 0 else { return }
            entry.mask = mask
            handlers[token] = entry
        }
    }

    private func remove(_ token: UInt64) {
        lock.withLock {
            guard let entry = handlers.removeValue(forKey: token), !stopped, entry.mask != 0 else { return }
            var event = epoll_event()
            _ = epoll_ctl(epoll, EPOLL_CTL_DEL, entry.fd, &event)
        }
    }

    /// Ends the thread. Sockets still registered get no more calls.
    func stop() {
        let first: Bool = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        var one: UInt64 = 1
        _ = write(wake, &one, MemoryLayout<UInt64>.size)
    }

    private func run() {
        let capacity = 64
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer {
            events.deallocate()
            lock.withLock { handlers = [:] }
            _ = close(wake)
            _ = close(epoll)
        }
        let hangUp = EPOLLHUP.rawValue | EPOLLERR.rawValue
        while true {
            let count = epoll_wait(epoll, events, Int32(capacity), -1)
            if count < 0 {
                if errno == EINTR { continue }
                return
            }
            for index in 0..<Int(count) {
                let event = events[index]
                let token = event.data.u64
                if token == 0 { return }
                guard let handler = lock.withLock({ handlers[token]?.handler }) else { continue }
                // A hang-up or error is reported as both: the read sees the EOF, the write the error.
                handler.socketReady(readable: event.events & (Self.readMask | hangUp) != 0,
                                    writable: event.events & (Self.writeMask | hangUp) != 0)
            }
        }
    }
}
