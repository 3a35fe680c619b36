import Foundation
import HTTPServer
import JobAPI
import Store

/// A JSON-object request body with typed field readers whose errors name the field (422), so
/// small bodies (models, datasets) need no Codable type each. They stop at the first failing check,
/// except that every unknown field is listed together (docs/api.md, "Errors").
struct RequestBody {
    let fields: [String: JSONValue]

    init(fields: [String: JSONValue]) {
        self.fields = fields
    }

    /// The body must be a JSON object (`RequestBody.document`'s rules for what is malformed).
    init(_ request: HTTPRequest) throws {
        guard case .object(let fields) = try Self.document(request) else {
            throw APIError.invalid(field: "body", "must be a JSON object")
        }
        self.fields = fields
    }

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

    func has(_ key: String) -> Bool { fields[key] != nil }

    /// Unknown fields are errors: a typo such as `"clases"` must not be silently ignored.
    func allowOnly(_ keys: Set<String>) throws {
        let unknown = fields.keys.filter { !keys.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw APIError.invalid(unknown.map { .init(field: $0, message: "unknown field") })
        }
    }

    func string(_ key: String) throws -> String {
        guard let value = fields[key] else { throw APIError.invalid(field: key, "is required") }
        guard case .string(let text) = value, !text.isEmpty else {
            throw APIError.invalid(field: key, "must be a non-empty string")
        }
        return text
    }

    /// A name or path within `range` code points, without control characters (`TextLimits`: the
    /// store's CHECKs count the same way).
    func text(_ key: String, _ range: ClosedRange<Int> = TextLimits.name) throws -> String {
        let value = try string(key)
        if let problem = TextLimits.problem(value, range) { throw APIError.invalid(field: key, problem) }
        return value
    }

    func optionalString(_ key: String) throws -> String? {
        guard has(key) else { return nil }
        return try string(key)
    }

    func optionalInt(_ key: String, range: ClosedRange<Int>) throws -> Int? {
        guard let value = fields[key] else { return nil }
        guard case .number(let number) = value, number == number.rounded() else {
            throw APIError.invalid(field: key, "must be an integer")
        }
        // Compared as a Double: 18446744073709555712 must not wrap into range.
        guard number >= Double(range.lowerBound), number <= Double(range.upperBound) else {
            throw APIError.invalid(field: key, "must be in \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(number)
    }

    func optionalStrings(_ key: String) throws -> [String]? {
        guard let value = fields[key] else { return nil }
        guard case .array(let items) = value else { throw APIError.invalid(field: key, "must be a list of strings") }
        var list: [String] = []
        for item in items {
            guard case .string(let text) = item else { throw APIError.invalid(field: key, "must be a list of strings") }
            list.append(text)
        }
        return list
    }

    /// A list of at most `maxCount` names, each as `text` checks it.
    func optionalNames(_ key: String, maxCount: Int) throws -> [String]? {
        guard let list = try optionalStrings(key) else { return nil }
        guard list.count <= maxCount else { throw APIError.invalid(field: key, "lists \(list.count) names; at most \(maxCount) are allowed") }
        for (i, name) in list.enumerated() {
            if let problem = TextLimits.problem(name, TextLimits.name) { throw APIError.invalid(field: "\(key)[\(i)]", problem) }
        }
        return list
    }
}

extension Daemon {
    /// `?after=<id>&limit=<1...100>`, as the OpenAI list endpoints page.
    func pageRequest(_ request: HTTPRequest) throws -> PageRequest {
        var page = PageRequest()
        if let after = request.query("after"), !after.isEmpty {
            if let problem = TextLimits.problem(after, TextLimits.identifier) { throw APIError.invalid(field: "after", problem) }
            page.after = after
        }
        if let limit = request.query("limit") {
            guard let n = Int(limit), (1...100).contains(n) else {
                throw APIError.invalid(field: "limit", "must be an integer in 1...100")
            }
            page.limit = n
        }
        return page
    }
}
