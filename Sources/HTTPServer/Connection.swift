import Dispatch
import Foundation
import HTTP1

/// One client connection: its loop registration, buffers and request cycle. Everything below runs
/// on `queue` (a serial queue per connection); the only cross-thread entry points are
/// `socketReady` (from the loop's thread, entering with `sync`), the `StreamSink` methods,
/// `timerFired`, `beginShutdown` and `forceClose`, which all hop onto it.
final class Connection: ReadinessHandler, @unchecked Sendable {
    let context: ServerContext
    let fd: Int32
    let peer: String
    let queue: DispatchQueue
    /// Handlers, stream producers and close handlers of this connection run here. A serial queue
    /// without a target draws from libdispatch's overcommit pool, which starts a new thread when
    /// every worker is blocked, so a handler that blocks never delays another connection.
    let handlerQueue: DispatchQueue
    let transport: Transport

    /// The socket's place in its `EventLoop`; nil before `start` and after `closeNow`.
    var registration: EventLoop.Registration?
    /// Not waiting for input (back-pressure or EOF).
    var readPaused = false
    /// Waiting for the socket to take more output.
    var writeArmed = false

    var clock: ConnectionClock
    private let deadlineLock = NSLock()
    private var deadline: UInt64 = .max

    var input: [UInt8] = []
    var inputStart = 0
    var resumeFrom = 0
    var readEOF = false
    var processingInput = false
    var pending: PendingRequest?

    var output: [UInt8] = []
    var outputStart = 0
    /// No more requests on this connection: after the output drains, linger and close.
    var closeWhenFlushed = false
    var keepAlive = true
    var closed = false
    var shuttingDown = false

    var stream: ActiveStream?
    var nextStreamID: UInt64 = 0
    /// A file body being sent (see `Connection+Output`); nil otherwise.
    var download: ActiveDownload?

    /// A request whose head is parsed, routed and authorized, and whose body is arriving.
    struct PendingRequest {
        var head: HTTPRequestHead
        var target: HTTPRequestTarget
        let handler: HTTPHandler
        let parameters: [String: String]
        /// The route's body limit (`HTTPBodyPolicy.maxBytes`), against `wireBytes`.
        let limit: Int
        /// The route's handler runs on the connection queue (`HTTPRouter.add(inline:)`).
        let inline: Bool
        var body: [UInt8] = []
        /// Present when the route spools its body to disk; `body` is then only a scratch buffer.
        var file: HTTPBodyFile?
        var remaining = 0
        /// Body bytes consumed from the socket so far, chunk framing included.
        var wireBytes = 0
        var decoder: HTTPChunkedDecoder?
    }

    struct ActiveDownload {
        let body: HTTPFileBody
        /// Bytes of the file already appended to `output`.
        var offset = 0
    }

    struct ActiveStream {
        let id: UInt64
        let writer: HTTPBodyWriter
        /// Chunk framing (HTTP/1.1); false means close-delimited (HTTP/1.0).
        let chunked: Bool
        let isEventStream: Bool
    }

    init(context: ServerContext, fd: Int32, peer: String, transport: Transport) {
        self.context = context
        self.fd = fd
        self.peer = peer
        self.transport = transport
        self.queue = DispatchQueue(label: "thaw.http.connection", target: context.ioQueue)
        self.handlerQueue = DispatchQueue(label: "thaw.http.handler")
        self.clock = ConnectionClock(now: Connection.now())
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    var outputPending: Int { output.count - outputStart }
    var inputAvailable: Int { input.count - inputStart }

    /// Joins an event loop and starts reading. Called once, right after registration.
    func start() {
        queue.async { [self] in
            // A ready socket's call waits for this block (same serial queue), so it finds the
            // registration in place.
            guard let loop = context.nextLoop(), let joined = loop.register(fd: fd, handler: self) else {
                closeNow()
                return
            }
            registration = joined
            updateDeadline()
        }
    }

    // MARK: readiness

    /// On the loop's thread: `sync` runs the block right here when the connection's queue is idle
    /// (the common case), so reading, parsing, an inline route and the write need no thread hop.
    /// The loop never holds a lock the queue's blocks take, so waiting for a busy queue is safe.
    func socketReady(readable: Bool, writable: Bool) {
        queue.sync {
            if readable, !readPaused { onReadable() }
            if writable, writeArmed { onWritable() }
        }
    }

    private func onReadable() {
        guard !closed else { return }
        if transport.writeWantsReadable, outputPending > 0 { flush() }
        readAvailable()
        if !closed { processInput() }
    }

    private func onWritable() {
        guard !closed else { return }
        if transport.readWantsWritable {
            readAvailable()
            if closed { return }
        }
        flush()
        if !closed { processInput() }
    }

    private func watch() { registration?.watch(read: !readPaused, write: writeArmed) }

    func pauseReading() {
        guard !readPaused else { return }
        readPaused = true
        watch()
    }

    func resumeReading() {
        guard readPaused, !readEOF else { return }
        readPaused = false
        watch()
    }

    func armWrite() {
        guard !writeArmed else { return }
        writeArmed = true
        watch()
    }

    func disarmWrite() {
        guard writeArmed else { return }
        writeArmed = false
        watch()
    }

    // MARK: timers

    /// Publishes the next deadline for the server's sweep.
    func updateDeadline() {
        let next = clock.deadline(context.timeouts) ?? .max
        deadlineLock.withLock { deadline = next }
    }

    func isDue(_ now: UInt64) -> Bool { deadlineLock.withLock { deadline <= now } }

    func timerFired() {
        queue.async { [self] in
            guard !closed else { return }
            switch clock.action(now: Connection.now(), context.timeouts) {
            case .none: break
            case .closeIdle, .writeTimeout, .lingerDone: closeNow()
            case .headerTimeout:
                if inputAvailable > 0 {
                    fail(HTTPError(.requestTimeout, code: "request_timeout", message: "request head not received in time"))
                } else {
                    closeNow()
                }
            case .bodyTimeout:
                fail(HTTPError(.requestTimeout, code: "request_timeout", message: "request body not received in time"))
            case .heartbeat:
                sendHeartbeat()
            }
            updateDeadline()
        }
    }

    // MARK: closing

    /// After the last response: stop sending, keep draining input for `lingerTimeout`, then close.
    func beginLinger() {
        guard !closed, clock.phase != .lingering else { return }
        transport.shutdownWrite()
        input = []
        inputStart = 0
        clock.enter(.lingering, now: Connection.now())
        if readEOF { closeNow() } else { resumeReading() }
        updateDeadline()
    }

    /// Closes at once; any stream learns it ended.
    func closeNow() {
        guard !closed else { return }
        closed = true
        endStream()
        download = nil
        // Out of the loop before the descriptor closes, so a reused descriptor number never
        // reaches this connection; a readiness call already under way finds `closed`.
        registration?.cancel()
        registration = nil
        transport.close()
        context.remove(self)
        deadlineLock.withLock { deadline = .max }
    }

    /// Marks the current stream's writer closed and runs its close handlers off this queue.
    func endStream() {
        guard let stream else { return }
        self.stream = nil
        let handlers = stream.writer.markClosed()
        if !handlers.isEmpty {
            handlerQueue.async { for handler in handlers { handler() } }
        }
    }

    func forceClose() { queue.async { [self] in closeNow() } }
}
