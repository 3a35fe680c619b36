import Foundation

/// Where a body writer's bytes go; implemented by the connection, which hops onto its own queue.
protocol StreamSink: AnyObject, Sendable {
    func streamWrite(_ id: UInt64, _ bytes: [UInt8])
    func streamFinish(_ id: UInt64, final: [UInt8]?)
    func streamOverflow(_ id: UInt64)
}

/// Thread-safe writer for a chunked response body. Use it from any thread; writes are sent in call
/// order. Once closed (finished, client gone, buffer cap exceeded, server shutdown) every write
/// returns false and the `onClose` handlers have run exactly once.
public final class HTTPBodyWriter: @unchecked Sendable {
    private let lock = NSLock()
    private var closed = false
    private var closeHandlers: [@Sendable () -> Void] = []
    /// Bytes handed to the connection but not yet appended to its output buffer.
    private var inFlight = 0
    /// Bytes in the connection's output buffer not yet accepted by the socket.
    private var socketPending = 0
    private weak var sink: (any StreamSink)?
    let streamID: UInt64
    /// `streamBufferLimit` from the configuration.
    public let bufferLimit: Int

    init(sink: any StreamSink, streamID: UInt64, bufferLimit: Int) {
        self.sink = sink
        self.streamID = streamID
        self.bufferLimit = bufferLimit
    }

    /// True once the stream has ended for any reason; producers should stop.
    public var isClosed: Bool { lock.withLock { closed } }

    /// Bytes queued for this client and not yet taken by the kernel.
    public var bufferedBytes: Int { lock.withLock { inFlight + socketPending } }

    /// Queues `bytes` as one chunk. Returns false if the stream is closed, or if the client is so
    /// far behind that `bufferLimit` would be exceeded; the stream is then dropped.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return !isClosed }
        enum Outcome { case closed, overflow, queued }
        let outcome: Outcome = lock.withLock {
            if closed { return .closed }
            if inFlight + socketPending + bytes.count > bufferLimit { return .overflow }
            inFlight += bytes.count
            return .queued
        }
        switch outcome {
        case .closed: return false
        case .overflow:
            sink?.streamOverflow(streamID)
            return false
        case .queued:
            guard let sink else { return false }
            sink.streamWrite(streamID, bytes)
            return true
        }
    }

    @discardableResult
    public func write(_ string: String) -> Bool { write(Array(string.utf8)) }

    /// Ends the body (the terminating chunk is sent after everything written before).
    public func finish() { finish(final: nil) }

    func finish(final: [UInt8]?) {
        guard !isClosed else { return }
        sink?.streamFinish(streamID, final: final)
    }

    /// Registers `handler` to run once when the stream ends; runs at once if it already has.
    public func onClose(_ handler: @escaping @Sendable () -> Void) {
        let runNow: Bool = lock.withLock {
            if closed { return true }
            closeHandlers.append(handler)
            return false
        }
        if runNow { handler() }
    }

    // MARK: connection side

    func accepted(_ count: Int) { lock.withLock { inFlight -= count } }

    func setSocketPending(_ count: Int) { lock.withLock { socketPending = count } }

    /// Marks the writer closed and returns the handlers to run (the caller runs them off its queue).
    func markClosed() -> [@Sendable () -> Void] {
        lock.withLock {
            if closed { return [] }
            closed = true
            defer { closeHandlers = [] }
            return closeHandlers
        }
    }
}
