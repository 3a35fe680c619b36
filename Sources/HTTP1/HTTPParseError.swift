/// Why a request could not be parsed; each case maps to the status the server must answer with.
///
/// Every parse error ends the connection: once framing is in doubt, nothing after it can be trusted
/// (the request-smuggling defence of RFC 9112 §6.3 and §11.2).
public enum HTTPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No CRLF within `maxRequestLineBytes` (414).
    case requestLineTooLong
    /// Head larger than `maxHeaderBytes` (431).
    case headersTooLarge
    /// More than `maxHeaderCount` fields (431).
    case tooManyHeaders
    /// Not `method SP target SP version` (400).
    case malformedRequestLine
    /// Method contains a non-token byte (400).
    case invalidMethod
    /// Request-target empty or containing bytes outside 0x21-0x7E, or a malformed form (400).
    case invalidTarget
    /// Version not `HTTP/DIGIT.DIGIT` (400).
    case malformedVersion
    /// Well-formed version other than 1.0 / 1.1 (505).
    case unsupportedVersion(HTTPVersion)
    /// A CR not followed by LF, or an LF not preceded by CR (400).
    case invalidLineEnding
    /// Field name empty or containing a non-token byte (400).
    case invalidHeaderName
    /// Whitespace between field name and colon, forbidden by RFC 9112 §5.1 (400).
    case whitespaceBeforeColon
    /// A field line starting with SP/HTAB (obs-fold, RFC 9112 §5.2) (400).
    case obsoleteLineFolding
    /// NUL, CR, LF or another CTL inside a field value (400).
    case invalidHeaderValue(name: String)
    /// HTTP/1.1 request without Host (400).
    case missingHost
    /// More than one Host field (400).
    case duplicateHost
    /// A Host value that is not `uri-host [":" port]` by RFC 3986 syntax (400, RFC 9112 §3.2).
    case invalidHost
    /// Both Content-Length and Transfer-Encoding present (400).
    case contentLengthWithTransferEncoding
    /// Several Content-Length values that differ (400).
    case conflictingContentLength
    /// Content-Length not a plain decimal integer, negative or overflowing (400).
    case invalidContentLength
    /// Transfer-Encoding in an HTTP/1.0 request (400, RFC 9112 §6.1).
    case transferEncodingInHTTP10
    /// Transfer-Encoding whose final coding is not `chunked`, or `chunked` twice (400).
    case chunkedNotFinal
    /// A transfer coding other than `chunked` (501).
    case unsupportedTransferCoding(String)
    /// Chunk size missing, not hexadecimal or larger than the server accepts (400).
    case invalidChunkSize
    /// Chunk extension malformed or longer than the limit (400).
    case invalidChunkExtension
    /// Chunk data not followed by CRLF (400).
    case invalidChunkFraming
    /// Trailer field malformed or the trailer section too large (400).
    case invalidTrailer

    public var status: HTTPStatus {
        switch self {
        case .requestLineTooLong: .uriTooLong
        case .headersTooLarge, .tooManyHeaders: .headerFieldsTooLarge
        case .unsupportedTransferCoding: .notImplemented
        case .unsupportedVersion: .httpVersionNotSupported
        default: .badRequest
        }
    }

    /// Stable machine-readable code for the JSON error body.
    public var code: String {
        switch self {
        case .requestLineTooLong: "request_line_too_long"
        case .headersTooLarge: "headers_too_large"
        case .tooManyHeaders: "too_many_headers"
        case .malformedRequestLine: "malformed_request_line"
        case .invalidMethod: "invalid_method"
        case .invalidTarget: "invalid_target"
        case .malformedVersion: "malformed_version"
        case .unsupportedVersion: "version_not_supported"
        case .invalidLineEnding: "invalid_line_ending"
        case .invalidHeaderName: "invalid_header_name"
        case .whitespaceBeforeColon: "whitespace_before_colon"
        case .obsoleteLineFolding: "obsolete_line_folding"
        case .invalidHeaderValue: "invalid_header_value"
        case .missingHost: "missing_host"
        case .duplicateHost: "duplicate_host"
        case .invalidHost: "invalid_host"
        case .contentLengthWithTransferEncoding: "content_length_with_transfer_encoding"
        case .conflictingContentLength: "conflicting_content_length"
        case .invalidContentLength: "invalid_content_length"
        case .transferEncodingInHTTP10: "transfer_encoding_in_http10"
        case .chunkedNotFinal: "chunked_not_final"
        case .unsupportedTransferCoding: "transfer_coding_not_implemented"
        case .invalidChunkSize: "invalid_chunk_size"
        case .invalidChunkExtension: "invalid_chunk_extension"
        case .invalidChunkFraming: "invalid_chunk_framing"
        case .invalidTrailer: "invalid_trailer"
        }
    }

    public var description: String {
        switch self {
        case .requestLineTooLong: "request line too long"
        case .headersTooLarge: "header section too large"
        case .tooManyHeaders: "too many header fields"
        case .malformedRequestLine: "malformed request line"
        case .invalidMethod: "invalid characters in method"
        case .invalidTarget: "invalid request target"
        case .malformedVersion: "malformed HTTP version"
        case .unsupportedVersion(let v): "\(v) is not supported"
        case .invalidLineEnding: "lines must end with CRLF"
        case .invalidHeaderName: "invalid header field name"
        case .whitespaceBeforeColon: "whitespace between header name and colon"
        case .obsoleteLineFolding: "obsolete line folding is not accepted"
        case .invalidHeaderValue(let n): "invalid characters in value of header '\(n)'"
        case .missingHost: "HTTP/1.1 request without Host header"
        case .duplicateHost: "more than one Host header"
        case .invalidHost: "Host header is not a valid host[:port]"
        case .contentLengthWithTransferEncoding: "both Content-Length and Transfer-Encoding present"
        case .conflictingContentLength: "conflicting Content-Length values"
        case .invalidContentLength: "Content-Length is not a valid length"
        case .transferEncodingInHTTP10: "Transfer-Encoding is not allowed in HTTP/1.0"
        case .chunkedNotFinal: "chunked must be the final transfer coding, applied once"
        case .unsupportedTransferCoding(let c): "transfer coding '\(c)' is not implemented"
        case .invalidChunkSize: "invalid chunk size"
        case .invalidChunkExtension: "invalid chunk extension"
        case .invalidChunkFraming: "chunk data not followed by CRLF"
        case .invalidTrailer: "invalid trailer section"
        }
    }
}
