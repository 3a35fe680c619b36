/// Why a safetensors file was rejected; names the key (or header field) at fault.
public enum SafetensorsError: Error, Equatable, CustomStringConvertible {
    case truncated(String)
    case invalidHeader(String)
    case invalidEntry(key: String, reason: String)
    case unsupportedDType(key: String, dtype: String)
    case offsetsOutOfRange(key: String, begin: Int, end: Int, dataSize: Int)
    case sizeMismatch(key: String, expectedBytes: Int, gotBytes: Int)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .truncated(what): "truncated safetensors: \(what)"
        case let .invalidHeader(why): "invalid safetensors header: \(why)"
        case let .invalidEntry(key, reason): "tensor '\(key)': \(reason)"
        case let .unsupportedDType(key, dtype): "tensor '\(key)': unsupported dtype \(dtype)"
        case let .offsetsOutOfRange(key, b, e, size): "tensor '\(key)': data_offsets [\(b), \(e)] outside the \(size)-byte data"
        case let .sizeMismatch(key, expected, got): "tensor '\(key)': shape needs \(expected) bytes, data_offsets give \(got)"
        case let .io(path, reason): "\(path): \(reason)"
        }
    }
}
