import HTTP1

/// How much request body a route takes and where it goes, decided from the head alone so that an
/// oversized body is refused (413, then close) before it is read.
///
/// The limit counts bytes as they arrive on the wire: a Content-Length body's bytes, or a chunked
/// body's bytes with its size lines, extensions and trailers (so zero-padded size lines count).
public struct HTTPBodyPolicy: Sendable, Hashable {
    public enum Storage: Sendable, Hashable {
        /// Collected in `HTTPRequest.body` (JSON and other small bodies).
        case memory
        /// Streamed to a temporary file in `directory` as it arrives (`HTTPRequest.bodyFile`);
        /// the file is removed when the handler returns.
        case file(directory: String)
    }

    /// Largest body in bytes as counted above; beyond it → 413 `body_too_large` and close.
    public var maxBytes: Int
    public var storage: Storage

    public init(maxBytes: Int, storage: Storage = .memory) {
        self.maxBytes = maxBytes
        self.storage = storage
    }
}

/// Picks a route's body policy from the request head (e.g. raw uploads by Content-Type).
/// Nil keeps the server's default (`HTTPServerConfiguration.maxBodyBytes`, in memory).
public typealias HTTPBodyPolicySelector = @Sendable (HTTPRequestHead) -> HTTPBodyPolicy?
