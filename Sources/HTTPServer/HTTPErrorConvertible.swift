import HTTP1

/// An error that knows how it should look to an HTTP client. Throw one from a handler and the
/// server answers `status` with `{"error": {"code": code, "message": message}}`; any other error
/// becomes a 500 whose body says nothing about the internals.
public protocol HTTPErrorConvertible: Error {
    var status: HTTPStatus { get }
    /// Stable, machine-readable, snake_case (e.g. `job_not_found`).
    var code: String { get }
    /// Human-readable; must not leak internals (paths, SQL).
    var message: String { get }
    /// Extra response headers (e.g. `Allow`, `WWW-Authenticate`). Default none.
    var headers: HTTPHeaders { get }
}

extension HTTPErrorConvertible {
    public var headers: HTTPHeaders { HTTPHeaders() }
}

/// A ready-made `HTTPErrorConvertible` for handlers and for the server's own answers.
public struct HTTPError: HTTPErrorConvertible, Sendable, Equatable {
    public var status: HTTPStatus
    public var code: String
    public var message: String
    public var headers: HTTPHeaders

    public init(_ status: HTTPStatus, code: String, message: String, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public static func badRequest(_ message: String, code: String = "bad_request") -> HTTPError {
        HTTPError(.badRequest, code: code, message: message)
    }

    public static func notFound(_ message: String = "no such resource", code: String = "not_found") -> HTTPError {
        HTTPError(.notFound, code: code, message: message)
    }

    public static func conflict(_ message: String, code: String = "conflict") -> HTTPError {
        HTTPError(.conflict, code: code, message: message)
    }

    public static func unprocessable(_ message: String, code: String = "invalid_request") -> HTTPError {
        HTTPError(.unprocessableContent, code: code, message: message)
    }

    static func methodNotAllowed(_ allowed: [HTTPMethod]) -> HTTPError {
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        return HTTPError(.methodNotAllowed, code: "method_not_allowed",
                         message: "method not allowed; allowed: \(allow)", headers: ["Allow": allow])
    }

    static let internalError = HTTPError(.internalServerError, code: "internal_error", message: "internal server error")

    static func parse(_ error: HTTPParseError) -> HTTPError {
        HTTPError(error.status, code: error.code, message: error.description)
    }
}
