import Foundation
import JobAPI

/// One HTTP response as the client read it.
public struct ClientResponse: Sendable {
    public let status: Int
    public let reason: String
    /// Header fields in arrival order; names as sent.
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]

    /// First value of a header, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a generic JSON value (for printing, or reading a field the caller has no type for).
    public func jsonValue() throws -> JSONValue { try decode(JSONValue.self) }

    /// The body decoded with the wire's one decoder configuration (`JobAPI.Wire`).
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try Wire.decode(type, from: Foundation.Data(body))
    }

    /// Throws `ClientError.http` carrying the server's JSON error when the status is not 2xx.
    public func requireSuccess() throws -> ClientResponse {
        guard (200..<300).contains(status) else {
            var code = "http_\(status)", message = text
            if let envelope = try? decode(ErrorEnvelope.self) {
                code = envelope.error.code ?? code
                message = envelope.error.message ?? message
                if let details = envelope.error.details { message += " \(details.detailText)" }
            }
            throw ClientError.http(status: status, code: code, message: message)
        }
        return self
    }
}

/// The error body every thawd route answers with (docs/api.md, "Errors"); each part optional, so a
/// partial body still yields what it has.
struct ErrorEnvelope: Decodable {
    struct Body: Decodable {
        var code: String?
        var message: String?
        var details: JSONValue?
    }
    var error: Body
}

extension JSONValue {
    /// How the CLI has always shown `details` after the message: an array of field/message objects,
    /// written the way Foundation's `description` of the parsed array read.
    var detailText: String {
        switch self {
        case .array(let items): "[" + items.map(\.detailText).joined(separator: ", ") + "]"
        case .object(let fields):
            "[" + fields.keys.sorted().map { "\"\($0)\": \(fields[$0]!.detailText)" }.joined(separator: ", ") + "]"
        case .string(let s): "\"\(s)\""
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
        case .bool(let b): String(b)
        case .null: "nil"
        }
    }
}

/// One Server-Sent Event.
public struct ServerSentEvent: Sendable, Equatable {
    public var id: String?
    public var event: String?
    public var data: String

    public init(id: String? = nil, event: String? = nil, data: String) {
        self.id = id
        self.event = event
        self.data = data
    }
}
