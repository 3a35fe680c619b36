import Foundation

/// Where a registered model came from.
public enum ModelSource: Sendable, Equatable {
    /// Shipped with thawd (registered at start-up).
    case builtin
    /// Weights uploaded through the API.
    case upload
    /// Produced by the fine-tuning job with this id.
    case job(String)

    var column: String {
        switch self {
        case .builtin: return "builtin"
        case .upload: return "upload"
        case .job: return "job"
        }
    }

    var jobID: String? { if case .job(let id) = self { return id }; return nil }
}

/// One row of `models`: an architecture, its spec, and optionally its weights file.
public struct ModelRecord: Sendable, Equatable {
    /// "model_" + 16 hex digits.
    public var id: String
    public var name: String
    /// Architecture name as NN registers it (`BuiltinArchitectures.names`), or an uploaded spec's.
    public var architecture: String
    /// JSON text: the model spec (classes, head, layer groups…), not interpreted here.
    public var spec: String
    /// nil for a model with no stored weights (e.g. a built-in trained from scratch).
    public var weights: ArtifactRef?
    public var source: ModelSource
    public var createdAt: Date

    static let table = "models"
    static let columns = [
        "id", "name", "architecture", "spec", "weights_path", "weights_sha256", "weights_size", "source",
        "source_job_id", "created_at",
    ]
    static let selectSQL = "SELECT \(columns.joined(separator: ", ")) FROM models"

    init(_ row: RowReader) throws {
        id = try row.text("id")
        name = try row.text("name")
        architecture = try row.text("architecture")
        spec = try row.text("spec")
        if let path = try row.optionalText("weights_path") {
            weights = ArtifactRef(path: path, sha256: try row.text("weights_sha256"), size: try row.int("weights_size"))
        }
        switch try row.text("source") {
        case "builtin": source = .builtin
        case "upload": source = .upload
        case "job": source = .job(try row.text("source_job_id"))
        case let other:
            throw StoreError.corruptRecord(table: "models", column: "source", reason: "unknown source '\(other)'")
        }
        createdAt = try row.date("created_at")
    }
}
