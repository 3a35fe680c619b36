import Foundation
import HTTPServer
import Store

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

    func optionalString(_ key: String) throws -> String? {
        guard has(key) else { return nil }
        return try string(key)
    }

    func optionalInt(_ key: String, range: ClosedRange<Int>) throws -> Int? {
        guard let value = object[key] else { return nil }
        guard let number = value as? NSNumber, !Self.isBool(number), number.doubleValue == number.doubleValue.rounded()
        else { throw APIError.invalid(field: key, "must be an integer") }
        guard range.contains(number.intValue) else {
            throw APIError.invalid(field: key, "must be in \(range.lowerBound)...\(range.upperBound)")
        }
        return number.intValue
    }

    func optionalStrings(_ key: String) throws -> [String]? {
        guard let value = object[key] else { return nil }
        guard let list = value as? [String] else { throw APIError.invalid(field: key, "must be a list of strings") }
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
        if let after = request.query("after"), !after.isEmpty { page.after = after }
        if let limit = request.query("limit") {
            guard let n = Int(limit), (1...100).contains(n) else {
                throw APIError.invalid(field: "limit", "must be an integer in 1...100")
            }
            page.limit = n
        }
        return page
    }
}
