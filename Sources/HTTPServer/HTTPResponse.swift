import Foundation
import HTTP1

/// What a handler returns: status, headers and one of three body shapes.
public struct HTTPResponse: Sendable {
    public enum Body: Sendable {
        /// Fixed-length content, sent with Content-Length.
        case bytes([UInt8])
        /// Chunked content (close-delimited for HTTP/1.0 clients). The closure is called once, off
        /// the I/O queue, after the head is queued; it may keep the writer and write from any thread.
        case chunked(@Sendable (HTTPBodyWriter) -> Void)
        /// A `text/event-stream`; same calling convention as `chunked`.
        case eventStream(@Sendable (EventStreamWriter) -> Void)
        /// An open file's bytes with Content-Length, read only as fast as the client takes them.
        case file(HTTPFileBody)
    }

    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: Body

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// `value` encoded as JSON with `Content-Type: application/json`.
    public static func json<T: Encodable>(_ value: T, status: HTTPStatus = .ok,
                                          encoder: JSONEncoder = HTTPJSON.makeEncoder()) throws -> HTTPResponse {
        let data = try encoder.encode(value)
        return HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: .bytes([UInt8](data)))
    }

    public static func text(_ text: String, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: .bytes(Array(text.utf8)))
    }

    public static func bytes(_ bytes: [UInt8], contentType: String = "application/octet-stream",
                             status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: .bytes(bytes))
    }

    /// A download served from an open file in constant memory (see `HTTPFileBody`).
    public static func file(_ body: HTTPFileBody, contentType: String = "application/octet-stream",
                            status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: .file(body))
    }

    /// No content; 204 by default.
    public static func empty(status: HTTPStatus = .noContent) -> HTTPResponse { HTTPResponse(status: status) }

    /// The JSON error shape for any `HTTPErrorConvertible`.
    public static func error(_ error: any HTTPErrorConvertible) -> HTTPResponse {
        var headers = error.headers
        headers.set("Content-Type", "application/json")
        return HTTPResponse(status: error.status, headers: headers,
                            body: .bytes(HTTPJSON.errorBody(code: error.code, message: error.message)))
    }

    public static func error(_ status: HTTPStatus, code: String, message: String) -> HTTPResponse {
        error(HTTPError(status, code: code, message: message))
    }

    public static func chunked(status: HTTPStatus = .ok, contentType: String = "application/octet-stream",
                               _ producer: @escaping @Sendable (HTTPBodyWriter) -> Void) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: .chunked(producer))
    }

    /// A Server-Sent Events stream; the server adds `Content-Type: text/event-stream`,
    /// `Cache-Control: no-cache` and heartbeats.
    public static func eventStream(_ producer: @escaping @Sendable (EventStreamWriter) -> Void) -> HTTPResponse {
        HTTPResponse(status: .ok, headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                            "X-Accel-Buffering": "no"], body: .eventStream(producer))
    }
}
