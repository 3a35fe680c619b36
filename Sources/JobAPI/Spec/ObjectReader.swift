/// Reads the fields of one JSON object, reporting type and range problems with their paths, and, when
/// finished, every field it never read (so a misspelt `pct_strat` is an error, not silently ignored).
/// A JSON `null` counts as absent, so optional fields of a job spec may be written out as null; the
/// small bodies (models, datasets), whose OpenAPI schemas have no nullable fields, read it as a value
/// of the wrong type (`nullIsAbsent: false`).
struct ObjectReader {
    let path: String
    let log: ProblemLog
    private let fields: [String: JSONValue]
    private let nullIsAbsent: Bool
    private var used: Set<String> = []

    /// Nil (with a problem logged) when `value` is not an object.
    init?(_ value: JSONValue, path: String, log: ProblemLog, nullIsAbsent: Bool = true) {
        guard case .object(let fields) = value else {
            log.add(path, "must be an object, got \(value.typeName)")
            return nil
        }
        self.path = path
        self.log = log
        self.fields = fields
        self.nullIsAbsent = nullIsAbsent
    }

    func has(_ key: String) -> Bool {
        if let value = fields[key], !(nullIsAbsent && value == .null) { return true }
        return false
    }

    func at(_ key: String) -> String { SpecPath.key(path, key) }

    /// The raw value of `key`, marking it read; nil when absent or null.
    mutating func value(_ key: String) -> JSONValue? {
        used.insert(key)
        guard let value = fields[key], !(nullIsAbsent && value == .null) else { return nil }
        return value
    }

    mutating func required(_ key: String) -> JSONValue? {
        guard let value = value(key) else {
            log.add(at(key), "is required")
            return nil
        }
        return value
    }

    mutating func string(_ key: String, required isRequired: Bool = false) -> String? {
        guard let value = isRequired ? required(key) : value(key) else { return nil }
        return JSONRead.string(value, path: at(key), log: log)
    }

    mutating func bool(_ key: String) -> Bool? {
        guard let value = value(key) else { return nil }
        return JSONRead.bool(value, path: at(key), log: log)
    }

    /// A number satisfying `valid` (described by `expectation`, e.g. "> 0").
    mutating func double(_ key: String, required isRequired: Bool = false, _ expectation: String? = nil,
                         _ valid: (Double) -> Bool = { _ in true }) -> Double? {
        guard let value = isRequired ? required(key) : value(key) else { return nil }
        return JSONRead.double(value, path: at(key), log: log, expectation, valid)
    }

    mutating func int(_ key: String, required isRequired: Bool = false, _ expectation: String? = nil,
                      _ valid: (Int) -> Bool = { _ in true }) -> Int? {
        guard let value = isRequired ? required(key) : value(key) else { return nil }
        return JSONRead.int(value, path: at(key), log: log, expectation, valid)
    }

    /// Gives up on the rest of the object (its discriminating field, e.g. `type`, is missing or unknown,
    /// so the other fields cannot be judged): they will not be reported as unknown.
    mutating func abandon() {
        used.formUnion(fields.keys)
    }

    /// Reports every field not read, naming the accepted ones.
    func finish() {
        let unknown = fields.keys.filter { !used.contains($0) }.sorted()
        guard !unknown.isEmpty else { return }
        let known = used.sorted().joined(separator: ", ")
        for key in unknown { log.add(at(key), "unknown field (accepted here: \(known))") }
    }
}

/// Scalar readers for values that are not object fields (list elements, polymorphic fields).
enum JSONRead {
    static func string(_ value: JSONValue, path: String, log: ProblemLog) -> String? {
        guard case .string(let string) = value else {
            log.add(path, "must be a string, got \(value.typeName)")
            return nil
        }
        return string
    }

    static func bool(_ value: JSONValue, path: String, log: ProblemLog) -> Bool? {
        guard case .bool(let bool) = value else {
            log.add(path, "must be true or false, got \(value.typeName)")
            return nil
        }
        return bool
    }

    static func double(_ value: JSONValue, path: String, log: ProblemLog, _ expectation: String? = nil,
                       _ valid: (Double) -> Bool = { _ in true }) -> Double? {
        guard case .number(let number) = value else {
            log.add(path, "must be a number, got \(value.typeName)")
            return nil
        }
        guard number.isFinite, valid(number) else {
            log.add(path, "must be \(expectation ?? "finite"), got \(format(number))")
            return nil
        }
        return number
    }

    static func int(_ value: JSONValue, path: String, log: ProblemLog, _ expectation: String? = nil,
                    _ valid: (Int) -> Bool = { _ in true }) -> Int? {
        guard case .number(let number) = value else {
            log.add(path, "must be an integer, got \(value.typeName)")
            return nil
        }
        guard number.rounded() == number, abs(number) <= 9_007_199_254_740_992 else {
            log.add(path, "must be an integer, got \(format(number))")
            return nil
        }
        let int = Int(number)
        guard valid(int) else {
            log.add(path, "must be \(expectation ?? "valid"), got \(int)")
            return nil
        }
        return int
    }

    /// A list of strings; nil when any element is not a string.
    static func strings(_ value: JSONValue, path: String, log: ProblemLog) -> [String]? {
        guard case .array(let items) = value else {
            log.add(path, "must be a list of strings, got \(value.typeName)")
            return nil
        }
        var result: [String] = []
        var ok = true
        for (i, item) in items.enumerated() {
            if let s = string(item, path: SpecPath.index(path, i), log: log) { result.append(s) } else { ok = false }
        }
        return ok ? result : nil
    }

    static func ints(_ value: JSONValue, path: String, log: ProblemLog, _ expectation: String? = nil,
                     _ valid: (Int) -> Bool = { _ in true }) -> [Int]? {
        guard case .array(let items) = value else {
            log.add(path, "must be a list of integers, got \(value.typeName)")
            return nil
        }
        var result: [Int] = []
        var ok = true
        for (i, item) in items.enumerated() {
            if let n = int(item, path: SpecPath.index(path, i), log: log, expectation, valid) {
                result.append(n)
            } else {
                ok = false
            }
        }
        return ok ? result : nil
    }

    /// "a, b, c" for a message; past `limit` items, the first ones and how many there are in all.
    static func list(_ items: [String], limit: Int = 10) -> String {
        guard items.count > limit else { return items.joined(separator: ", ") }
        return items.prefix(limit).joined(separator: ", ") + ", … (\(items.count) in all)"
    }

    static func format(_ number: Double) -> String {
        if number.rounded() == number, abs(number) < 1e15 { return String(Int(number)) }
        return "\(number)"
    }
}
