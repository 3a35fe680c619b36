import Foundation

/// Glue that gives each spec type `Codable` in its documented JSON shape: decoding goes through the same
/// reader the daemon uses (so a stored spec and a posted spec obey the same rules) and fails with every
/// problem in the message.
enum SpecCoding {
    static func decode<T>(_ decoder: Decoder, _ read: (JSONValue, String, ProblemLog) -> T?) throws -> T {
        let value = try JSONValue(from: decoder)
        let path = decoder.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
            .joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        let log = ProblemLog()
        let result = read(value, path, log)
        guard let result, log.problems.isEmpty else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: SpecError(problems: log.problems).description))
        }
        return result
    }

    /// Parses a whole document, turning malformed JSON into a single problem at the root.
    static func parseDocument(_ data: Data) -> Result<JSONValue, SpecError> {
        do {
            return .success(try JSONDecoder().decode(JSONValue.self, from: data))
        } catch {
            return .failure(SpecError(problems: [SpecProblem(path: "", message: "not valid JSON")]))
        }
    }
}

extension JSONValue {
    /// An object without the null-valued entries, so defaults need not be written out.
    static func fields(_ pairs: [(String, JSONValue?)]) -> JSONValue {
        var result: [String: JSONValue] = [:]
        for (key, value) in pairs { if let value { result[key] = value } }
        return .object(result)
    }
}
