import Foundation

/// Why a checkpoint was kept. A job has at most one `best` and one `last` (a new one replaces the old,
/// whose file is then deleted) and at most one `epoch` checkpoint per epoch (re-running an epoch after a
/// resume replaces it).
public enum CheckpointKind: String, CaseIterable, Sendable, Codable {
    case epoch, best, last
}

/// One row of `checkpoints`: a training-state file of a job plus the metrics it was saved with.
public struct CheckpointRecord: Sendable, Equatable {
    /// "ckpt_" + 16 hex digits.
    public var id: String
    public var jobID: String
    public var kind: CheckpointKind
    /// The epoch whose end it captures (0-based or 1-based is the daemon's convention; the Store only
    /// orders by it).
    public var epoch: Int
    /// JSON text, e.g. `{"val_loss":0.31,"val_acc":0.89}`.
    public var metrics: String
    public var artifact: ArtifactRef
    public var createdAt: Date

    static let table = "checkpoints"
    static let columns = ["id", "job_id", "kind", "epoch", "metrics", "path", "sha256", "size", "created_at"]
    static let selectSQL = "SELECT \(columns.joined(separator: ", ")) FROM checkpoints"

    init(_ row: RowReader) throws {
        id = try row.text("id")
        jobID = try row.text("job_id")
        kind = try row.enumeration("kind", CheckpointKind.self)
        epoch = try row.int("epoch")
        metrics = try row.text("metrics")
        artifact = ArtifactRef(path: try row.text("path"), sha256: try row.text("sha256"), size: try row.int("size"))
        createdAt = try row.date("created_at")
    }
}
