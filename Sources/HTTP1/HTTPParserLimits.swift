/// Size limits the parser enforces before the server sees a request.
///
/// Defaults follow common practice (nginx: 8 KiB lines, a few KiB of headers) with headroom for
/// bearer tokens; everything beyond them is answered with 414/431 rather than buffered.
public struct HTTPParserLimits: Sendable, Hashable {
    /// Longest request line in bytes, CRLF excluded. Default 8192; beyond it → 414.
    public var maxRequestLineBytes: Int
    /// Largest head (request line + fields + final CRLF) in bytes. Default 32768; beyond it → 431.
    public var maxHeaderBytes: Int
    /// Most header fields in one request. Default 100; beyond it → 431.
    public var maxHeaderCount: Int
    /// Longest chunk extension (per chunk). Default 1024 bytes; beyond it → 400.
    public var maxChunkExtensionBytes: Int
    /// Largest trailer section in bytes. Default 8192; beyond it → 400.
    public var maxTrailerBytes: Int

    public init(maxRequestLineBytes: Int = 8192, maxHeaderBytes: Int = 32768, maxHeaderCount: Int = 100,
                maxChunkExtensionBytes: Int = 1024, maxTrailerBytes: Int = 8192) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxChunkExtensionBytes = maxChunkExtensionBytes
        self.maxTrailerBytes = maxTrailerBytes
    }
}
