import Foundation
import HTTPServer
import JobAPI

/// The one strict parse of a request body. What its fields mean is read by the JobAPI request types
/// (`CreateJobRequest`, `CreateModelRequest`, `CreateDatasetRequest`, `ControlCommand`), which list
/// every problem at once.
enum RequestBody {
    /// Parses a body once: malformed JSON (strict RFC 8259: a trailing comma is malformed) is a 400,
    /// and so is an empty body unless `required` is false, when it reads as `{}`.
    static func document(_ request: HTTPRequest, required: Bool = true) throws -> JSONValue {
        if isBlank(request.body) {
            guard !required else { throw APIError(.badRequest, code: "invalid_json", message: "the body is empty; a JSON object is required") }
            return .object([:])
        }
        try checkSyntax(request.body)
        do { return try Wire.decode(JSONValue.self, from: Data(request.body)) } catch {
            throw APIError.badJSON("\(error)")
        }
    }

    /// The strict syntax check alone, for a body whose reader parses it itself (control commands).
    static func checkSyntax(_ body: [UInt8]) throws {
        if let problem = JSONSyntax.problem(body) { throw APIError.badJSON(problem) }
    }

    static func isBlank(_ body: [UInt8]) -> Bool {
        body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
    }
}
