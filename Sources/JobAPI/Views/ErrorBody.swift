/// Every error response: `{"error": {"code", "message", "details"?}}`. `details` (present when not
/// empty) lists each problem of a rejected request by field path, so a client fixes them all at once.
public struct ErrorBody: Encodable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        public var field: String
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var code: String
    public var message: String
    public var details: [Detail]

    public init(code: String, message: String, details: [Detail] = []) {
        self.code = code
        self.message = message
        self.details = details
    }

    enum OuterKeys: String, CodingKey { case error }
    enum CodingKeys: String, CodingKey { case code, message, details }

    public func encode(to encoder: Encoder) throws {
        var outer = encoder.container(keyedBy: OuterKeys.self)
        var c = outer.nestedContainer(keyedBy: CodingKeys.self, forKey: .error)
        try c.encode(code, forKey: .code)
        try c.encode(message, forKey: .message)
        if !details.isEmpty { try c.encode(details, forKey: .details) }
    }
}
