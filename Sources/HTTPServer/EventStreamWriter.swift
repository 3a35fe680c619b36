/// Thread-safe writer for a Server-Sent Events response; the server adds heartbeat comments
/// every `heartbeatInterval` of silence and, at shutdown, the configured final event.
public final class EventStreamWriter: Sendable {
    public let body: HTTPBodyWriter

    init(body: HTTPBodyWriter) { self.body = body }

    /// Sends one event; false if the stream is closed or the client fell too far behind.
    @discardableResult
    public func send(id: String? = nil, event: String? = nil, data: String) -> Bool {
        body.write(ServerSentEvent(id: id, event: event, data: data).encoded())
    }

    @discardableResult
    public func send(_ event: ServerSentEvent) -> Bool { body.write(event.encoded()) }

    /// Sends an event already encoded by `ServerSentEvent.encoded()`: a publisher encodes each event
    /// once and hands the same bytes to every subscriber.
    @discardableResult
    public func send(encoded bytes: [UInt8]) -> Bool { body.write(bytes) }

    @discardableResult
    public func comment(_ text: String) -> Bool { body.write(ServerSentEvent.comment(text)) }

    /// Ends the stream, optionally with a last event sent just before the end.
    public func finish(final event: ServerSentEvent? = nil) { body.finish(final: event?.encoded()) }

    /// Bytes queued for this client and not yet taken by its socket (see `HTTPBodyWriter`).
    public var bufferedBytes: Int { body.bufferedBytes }

    /// True once the client went away, the stream finished or was dropped.
    public var isClosed: Bool { body.isClosed }

    /// Runs once when the stream ends for any reason (immediately if it already has).
    public func onClose(_ handler: @escaping @Sendable () -> Void) { body.onClose(handler) }
}
