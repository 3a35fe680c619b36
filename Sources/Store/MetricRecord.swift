import Foundation

/// One row of `job_metrics`: what a job measured at the end of one epoch of one phase.
public struct MetricRecord: Sendable, Equatable {
    public var jobID: String
    /// Training phase name ("head", "finetune", …), 1–64 chars.
    public var phase: String
    public var epoch: Int
    /// JSON object text, e.g. `{"train_loss":0.52,"val_loss":0.48,"val_acc":0.83,"lr":0.001}`.
    public var values: String
    public var createdAt: Date

    static let columns = ["job_id", "phase", "epoch", "metrics", "created_at"]

    init(_ row: RowReader) throws {
        jobID = try row.text("job_id")
        phase = try row.text("phase")
        epoch = try row.int("epoch")
        values = try row.text("metrics")
        createdAt = try row.date("created_at")
    }
}
