/// Why a model cannot be written as ONNX; names the layer, which the API returns in a 422.
public enum ONNXExportError: Error, Equatable, CustomStringConvertible {
    /// A layer type with no lowering to the ONNX operators Thaw emits (a layer kind added to the
    /// engine without one in `GraphLowering`).
    case unsupportedLayer(layer: String, type: String)

    public var layer: String {
        switch self {
        case .unsupportedLayer(let layer, _): layer
        }
    }

    public var description: String {
        switch self {
        case let .unsupportedLayer(layer, type): "layer '\(layer)' (\(type)) has no ONNX equivalent Thaw can export"
        }
    }
}
