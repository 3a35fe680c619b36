import Foundation
import HTTP1

/// Every limit and timeout of the server, with the default in each doc comment.
///
/// Defaults aim at an API on a trusted-ish network: generous enough for JSON job specs and long-lived
/// event streams, tight enough that a slowloris or slow-reading client costs a bounded amount.
public struct HTTPServerConfiguration: Sendable {
    /// Numeric addresses to listen on, one socket each. Default `["127.0.0.1", "::1"]` (loopback
    /// only); use `["0.0.0.0", "::"]` for every interface. IPv6 sockets are V6ONLY.
    public var hosts: [String] = ["127.0.0.1", "::1"]
    /// TCP port; 0 picks a free port (shared by all hosts), reported by `HTTPServer.start()`. Default 8080.
    public var port: UInt16 = 8080
    /// listen(2) backlog. Default 1024.
    public var backlog: Int32 = 1024
    /// Request-line, header-section and chunk limits (414/431/400). See `HTTPParserLimits`.
    public var parserLimits = HTTPParserLimits()
    /// Largest request body in bytes on routes without their own `HTTPBodyPolicy`, counted as it
    /// arrives (a chunked body's size lines included); larger → 413 and close, decided from
    /// Content-Length or as soon as the chunked bytes pass it. Default 1 MiB.
    public var maxBodyBytes = 1 << 20
    /// Most simultaneously open connections; the next one gets a 503 and is closed. Default 4096.
    public var maxConnections = 4096
    /// Raise RLIMIT_NOFILE's soft limit at start so `maxConnections`, not EMFILE, is the cap. Default true.
    public var raiseOpenFileLimit = true
    /// Seconds from a connection's first byte of a request (or its accept) to the end of the head;
    /// a slowloris client is closed when it expires, however steadily it dribbles. Default 10.
    public var headerTimeout: Double = 10
    /// Seconds allowed for a whole request body once the head is in; then 408 and close. Default 30.
    public var bodyTimeout: Double = 30
    /// Seconds a keep-alive connection may sit between requests. Default 60.
    public var idleTimeout: Double = 60
    /// Seconds without any write progress while output is pending before the client is dropped. Default 30.
    public var writeTimeout: Double = 30
    /// Seconds to keep draining input after a final response before closing, so the kernel does not
    /// reset the connection before the client read the error. Default 2.
    public var lingerTimeout: Double = 2
    /// Seconds of silence on an event stream before a `: heartbeat` comment is sent. Default 15.
    public var heartbeatInterval: Double = 15
    /// Most bytes queued for one streaming client (chunked or SSE) before the stream is dropped, so a
    /// slow reader cannot grow memory without bound. Default 1 MiB.
    public var streamBufferLimit = 1 << 20
    /// Pipelined requests are not parsed while this many response bytes wait to be sent. Default 256 KiB.
    public var outputHighWater = 256 << 10
    /// Threads waiting for socket readiness (`EventLoop`); each runs the I/O and inline routes of
    /// the connections it was given. Default one per core, at most 8.
    public var eventLoops = min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 8)
    /// The event sent on every open event stream at shutdown, before the stream ends.
    /// Default `event: shutdown` with data `{"reason":"server shutting down"}`.
    public var shutdownEvent = ServerSentEvent(event: "shutdown", data: #"{"reason":"server shutting down"}"#)
    /// Bearer-token authentication; nil (default) leaves every route open.
    public var auth: HTTPBearerAuth?
    /// TLS; nil (default) serves plain HTTP.
    public var tls: TLSConfiguration?
    /// Called (on the handler's thread) with every error a handler threw that is not
    /// `HTTPErrorConvertible`, i.e. every 500, so the daemon can log what the client is not told.
    /// Default nil.
    public var onHandlerError: (@Sendable (HTTPRequest, any Error) -> Void)?

    public init() {}
}

/// Certificate chain and private key, both PEM files, for serving HTTPS.
public struct TLSConfiguration: Sendable {
    public var certificatePath: String
    public var privateKeyPath: String
    public init(certificatePath: String, privateKeyPath: String) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
    }
}
