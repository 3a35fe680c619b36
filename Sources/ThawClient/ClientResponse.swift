import Foundation

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

    public func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Foundation.Data(body), options: [.fragmentsAllowed])
    }

    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Foundation.Data(body))
    }

    /// Throws `ClientError.http` carrying the server's JSON error when the status is not 2xx.
    public func requireSuccess() throws -> ClientResponse {
        guard (200..<300).contains(status) else {
            var code = "http_\(status)", message = text
            if let object = try? json() as? [String: Any], let error = object["error"] as? [String: Any] {
                code = error["code"] as? String ?? code
                message = error["message"] as? String ?? message
                if let details = error["details"] { message += " \(details)" }
            }
            throw ClientError.http(status: status, code: code, message: message)
        }
        return self
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
