import Foundation
import HTTPServer
import JobAPI
import Store
import Training

/// A JSON-object request body with typed field readers whose errors name the field (422), so
/// small bodies (models, datasets, control commands) need no Codable type each.
struct RequestBody {
    let object: [String: Any]

    init(object: [String: Any]) {
        self.object = object
    }

    /// The body must be a JSON object; malformed JSON (strict RFC 8259: a trailing comma is
    /// malformed) is a 400, and so is an empty body unless `required` is false, when it reads as `{}`.
    init(_ request: HTTPRequest, required: Bool = true) throws {
        if request.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            guard !required else { throw APIError(.badRequest, code: "invalid_json", message: "the body is empty; a JSON object is required") }
            object = [:]
            return
        }
        if let problem = JSONSyntax.problem(request.body) { throw APIError.badJSON(problem) }
        let value: Any
        do { value = try JSONSerialization.jsonObject(with: Data(request.body)) } catch {
            throw APIError.badJSON((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)")
        }
        guard let object = value as? [String: Any] else {
            throw APIError.invalid(field: "body", "must be a JSON object")
        }
        self.object = object
    }

    func has(_ key: String) -> Bool { object[key] != nil }

    /// Unknown fields are errors: a typo such as `"clases"` must not be silently ignored.
    func allowOnly(_ keys: Set<String>) throws {
        let unknown = object.keys.filter { !keys.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw APIError.invalid(unknown.map { .init(field: $0, message: "unknown field") })
        }
    }

    func string(_ key: String) throws -> String {
        guard let value = object[key] else { throw APIError.invalid(field: key, "is required") }
        guard let text = value as? String, !text.isEmpty else {
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
        guard let value = object[key] else { return nil }
        guard let number = value as? NSNumber, !Self.isBool(number), number.doubleValue == number.doubleValue.rounded()
        else { throw APIError.invalid(field: key, "must be an integer") }
        // Compared as a Double first: NSNumber's intValue wraps (18446744073709555712 reads as 4096).
        let double = number.doubleValue
        guard double >= Double(range.lowerBound), double <= Double(range.upperBound) else {
            throw APIError.invalid(field: key, "must be in \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(double)
    }

    func optionalStrings(_ key: String) throws -> [String]? {
        guard let value = object[key] else { return nil }
        guard let list = value as? [String] else { throw APIError.invalid(field: key, "must be a list of strings") }
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

    static func isBool(_ number: NSNumber) -> Bool {
        // JSONSerialization hands booleans back as NSNumbers of C type `c` (char).
        String(cString: number.objCType) == "c"
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
