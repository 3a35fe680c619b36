/// Why a state dict does not fit a model; names the key.
public enum StateDictError: Error, Equatable, CustomStringConvertible {
    case missingKey(String)
    case unexpectedKey(String)
    case shapeMismatch(key: String, expected: [Int], got: [Int])
    case dtypeMismatch(key: String, expected: String, got: String)

    public var description: String {
        switch self {
        case let .missingKey(k): "missing key '\(k)'"
        case let .unexpectedKey(k): "unexpected key '\(k)'"
        case let .shapeMismatch(k, e, g): "key '\(k)': expected shape \(e), got \(g)"
        case let .dtypeMismatch(k, e, g): "key '\(k)': expected dtype \(e), got \(g)"
        }
    }
}
