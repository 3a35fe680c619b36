import JobAPI

/// Reading the few fields the CLI shows from a response it prints no type for.
extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    /// A string as is, a number as the server wrote it (integers without a fraction); nil for null
    /// and containers.
    var text: String? {
        switch self {
        case .string(let s): s
        case .number(let n): n == n.rounded(.towardZero) && abs(n) < 1e15 ? String(Int(n)) : String(n)
        case .bool(let b): String(b)
        case .null, .array, .object: nil
        }
    }
}
