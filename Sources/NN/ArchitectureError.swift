/// Why a spec, a state dict or a call does not fit the model; always names the layer/key.
public enum ArchitectureError: Error, Equatable, CustomStringConvertible {
    case invalidLayer(layer: String, reason: String)
    case shapeMismatch(layer: String, expected: String, got: String)
    case unknownGroup(String)
    case unknownLayer(String)
    case unknownArchitecture(String)
    case invalidSpec(String)

    public var description: String {
        switch self {
        case let .invalidLayer(layer, reason): "layer '\(layer)': \(reason)"
        case let .shapeMismatch(layer, expected, got): "layer '\(layer)': expected input \(expected), got \(got)"
        case let .unknownGroup(g): "unknown layer group '\(g)'"
        case let .unknownLayer(l): "unknown layer '\(l)'"
        case let .unknownArchitecture(a): "unknown architecture '\(a)'"
        case let .invalidSpec(reason): "invalid architecture spec: \(reason)"
        }
    }
}
