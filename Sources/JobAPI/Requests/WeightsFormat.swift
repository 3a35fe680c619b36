/// The file formats `GET /v1/jobs/{id}/weights` and `GET /v1/models/{id}/weights` serve, chosen by
/// `?format=` (absent: safetensors) and asked for by `thaw download --format`.
public enum WeightsFormat: String, CaseIterable, Sendable {
    /// The stored file itself: PyTorch state_dict names, Thaw metadata.
    case safetensors
    /// An eval-mode ONNX graph (IR 8, opset 17) converted from it on request.
    case onnx

    /// The query parameter's name, as a 422 names it.
    public static let queryField = "format"

    /// `?format=` as given: nil (absent) is safetensors; any other value than the cases is nil.
    public init?(query: String?) {
        guard let query else {
            self = .safetensors
            return
        }
        guard let format = WeightsFormat(rawValue: query) else { return nil }
        self = format
    }

    /// What the 422 for any other value says.
    public static var allowedDescription: String { "must be " + allCases.map(\.rawValue).joined(separator: " or ") }

    /// `stem.safetensors` / `stem.onnx`, the download's Content-Disposition filename.
    public func filename(_ stem: String) -> String { "\(stem).\(rawValue)" }
}
