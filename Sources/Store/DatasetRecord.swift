import Foundation

/// One row of `datasets`: a registered image folder or IDX set and what scanning it found.
public struct DatasetRecord: Sendable, Equatable {
    /// "dataset_" + 16 hex digits.
    public var id: String
    public var name: String
    /// Where the data lives (already resolved and checked by the daemon).
    public var path: String
    /// JSON text: class names in label order, e.g. `["cat","dog"]`.
    public var classes: String
    /// JSON text: per-class / per-split counts, e.g. `{"cat":120,"dog":118}`.
    public var counts: String
    /// JSON text: files skipped while scanning and why, e.g. `[{"file":"x.gif","reason":"format"}]`.
    public var skipped: String
    public var createdAt: Date

    static let table = "datasets"
    static let columns = ["id", "name", "path", "classes", "counts", "skipped", "created_at"]
    static let selectSQL = "SELECT \(columns.joined(separator: ", ")) FROM datasets"

    init(_ row: RowReader) throws {
        id = try row.text("id")
        name = try row.text("name")
        path = try row.text("path")
        classes = try row.text("classes")
        counts = try row.text("counts")
        skipped = try row.text("skipped")
        createdAt = try row.date("created_at")
    }
}
