import Foundation
import HTTP1
import HTTPServer
import JobAPI
import Store

/// An API error that renders as `{"error": {"code", "message", "details"?}}`. `details` lists every
/// problem of a rejected request body (field path + message), so a client fixes them all at once.
public struct APIError: HTTPErrorConvertible, Sendable {
    public typealias Detail = ErrorBody.Detail

    public var status: HTTPStatus
    public var code: String
    public var message: String
    public var details: [Detail]

    public init(_ status: HTTPStatus, code: String, message: String, details: [Detail] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    public var body: [UInt8] {
        Array((try? Wire.encode(ErrorBody(code: code, message: message, details: details))) ?? Data())
    }

    public var response: HTTPResponse {
        var response = HTTPResponse.bytes(body, contentType: "application/json")
        response.status = status
        return response
    }

    public static func notFound(_ kind: String, _ id: String) -> APIError {
        APIError(.notFound, code: "\(kind)_not_found", message: "no \(kind) with id '\(id)'")
    }

    /// A problem with the body as a whole (no field path) is reported against the field `body`.
    public static func invalid(_ details: [Detail], message: String = "the request has problems") -> APIError {
        let details = details.map { $0.field.isEmpty ? Detail(field: "body", message: $0.message) : $0 }
        return APIError(.unprocessableContent, code: "invalid_request",
                 message: details.count == 1 ? "\(details[0].field): \(details[0].message)" : "\(message) (\(details.count))",
                 details: details)
    }

    public static func invalid(field: String, _ message: String) -> APIError {
        invalid([Detail(field: field, message: message)])
    }

    public static func badJSON(_ reason: String) -> APIError {
        APIError(.badRequest, code: "invalid_json", message: "the body is not valid JSON: \(reason)")
    }

    /// Maps store errors to what a client should see: unknown ids are 404, illegal state changes 409,
    /// integrity problems 500 with a message that says so (never a silently wrong answer).
    public static func from(_ error: StoreError) -> APIError {
        switch error {
        case .notFound(let kind, let id): return notFound(kind, id)
        case .illegalTransition(let from, let to):
            return APIError(.conflict, code: "illegal_state",
                            message: "a \(from.rawValue) job cannot become \(to.rawValue)")
        case .conflict(let kind, let id, let reason):
            return APIError(.conflict, code: "conflict", message: "\(kind) '\(id)': \(reason)")
        case .invalidArgument(let field, let reason): return invalid(field: field, reason)
        case .checksumMismatch, .artifactMissing, .corruptRecord:
            return APIError(.internalServerError, code: "integrity_error", message: error.description)
        default:
            return APIError(.internalServerError, code: "store_error", message: "the store failed: \(error.description)")
        }
    }
}
