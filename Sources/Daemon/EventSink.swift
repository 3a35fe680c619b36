import HTTPServer

/// One subscriber's end of a job's event stream, as `JobEventPublisher` sees it. The SSE response's
/// `EventStreamWriter` is the one in production; every call is thread-safe and non-blocking (bytes
/// are queued for the connection, whose buffer cap drops a client that stopped reading).
protocol EventSink: AnyObject, Sendable {
    /// Queues an encoded event; false once the subscriber is gone (closed, or too far behind).
    @discardableResult func send(encoded bytes: [UInt8]) -> Bool
    /// Bytes queued and not yet taken by the client's socket: a history replay waits while this is
    /// high instead of overrunning the connection's buffer cap (which would drop the client).
    var bufferedBytes: Int { get }
    /// Ends the stream, optionally after one last event.
    func finish(final event: ServerSentEvent?)
    /// Runs `handler` once when the stream ends for any reason (at once if it already has).
    func onClose(_ handler: @escaping @Sendable () -> Void)
}

extension EventStreamWriter: EventSink {}
