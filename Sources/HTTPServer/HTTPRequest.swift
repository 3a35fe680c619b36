import Foundation
import HTTP1

/// A complete request as a handler sees it: head, decoded target and the whole body.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The request-target exactly as sent.
    public var target: String
    public var version: HTTPVersion
    /// Percent-decoded path (`/v1/jobs/a%20b` → `/v1/jobs/a b`).
    public var path: String
    /// Decoded path segments (`/v1/jobs/7` → ["v1", "jobs", "7"]).
    public var pathSegments: [String]
    public var queryItems: [HTTPRequestTarget.QueryItem]
    public var headers: HTTPHeaders
    /// The body after de-chunking; empty when there was none, and when it went to `bodyFile`.
    public var body: [UInt8]
    /// The body spooled to a temporary file, for routes whose `HTTPBodyPolicy` stores to a file.
    public var bodyFile: HTTPBodyFile?
    /// Trailer fields of a chunked body.
    public var trailers: HTTPHeaders
    /// Values of the route's `:name` segments, filled by the router.
    public var pathParameters: [String: String]
    /// Peer address as `ip:port` (`[ip]:port` for IPv6).
    public var remoteAddress: String

    public init(method: HTTPMethod, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders(),
                body: [UInt8] = [], trailers: HTTPHeaders = HTTPHeaders(), remoteAddress: String = "",
                bodyFile: HTTPBodyFile? = nil) throws(HTTPParseError) {
        let parsed = try HTTPRequestTarget.parse(target, method: method)
        self.method = method
        self.target = target
        self.version = version
        self.path = parsed.path
        self.pathSegments = parsed.segments
        self.queryItems = parsed.queryItems
        self.headers = headers
        self.body = body
        self.bodyFile = bodyFile
        self.trailers = trailers
        self.pathParameters = [:]
        self.remoteAddress = remoteAddress
    }

    /// First value of query parameter `name`, or nil.
    public func query(_ name: String) -> String? { queryItems.first { $0.name == name }?.value }

    /// The `:name` path parameter; throws 400 if the route has none by that name (a wiring bug,
    /// reported without crashing the server).
    public func parameter(_ name: String) throws -> String {
        guard let value = pathParameters[name] else {
            throw HTTPError.badRequest("missing path parameter '\(name)'", code: "missing_parameter")
        }
        return value
    }

    /// Decodes the JSON body. Throws 415 if a non-JSON Content-Type was sent, 400 `invalid_json` for
    /// an empty or malformed body (strict RFC 8259: no trailing commas) or one naming the offending
    /// field otherwise.
    public func decodeJSON<T: Decodable>(_ type: T.Type = T.self, decoder: JSONDecoder = HTTPJSON.makeDecoder()) throws -> T {
        if let contentType = headers["content-type"]?.lowercased(),
           !(contentType.hasPrefix("application/json") || contentType.contains("+json")) {
            throw HTTPError(.unsupportedMediaType, code: "unsupported_media_type",
                            message: "expected Content-Type application/json, got \(contentType)")
        }
        if let problem = JSONSyntax.problem(body) {
            throw HTTPError.badRequest(body.isEmpty ? "the request body is empty; a JSON value is required" : problem,
                                       code: "invalid_json")
        }
        do {
            return try decoder.decode(T.self, from: Data(body))
        } catch let error as DecodingError {
            throw HTTPError.badRequest(HTTPJSON.describe(error), code: "invalid_json")
        }
    }
}
