import Foundation
import SQLite

extension Store {
    /// Registers a model; with `weights`, stores them as an artifact (`models/<random>.safetensors`,
    /// atomically, SHA-256 recorded) in the same operation. `name` and `architecture` 1–256 chars, `spec`
    /// JSON; `.job(id)` must name an existing job.
    @discardableResult
    public func createModel(
        name: String, architecture: String, spec: String, source: ModelSource, weights: ArtifactSource? = nil
    ) throws(StoreError) -> ModelRecord {
        try sync { try $0.checkModel(name: name, architecture: architecture, spec: spec, source: source) }
        guard let weights else {
            return try sync { connection in
                try connection.transaction {
                    try connection.insertModel(name: name, architecture: architecture, spec: spec, source: source, weights: nil)
                }
            }
        }
        return try storeArtifact(weights, at: "models/\(RandomID.token()).safetensors") { connection, ref in
            (try connection.insertModel(name: name, architecture: architecture, spec: spec, source: source, weights: ref), [])
        }
    }

    public func model(_ id: String) throws(StoreError) -> ModelRecord {
        try sync { try $0.requireModel(id) }
    }

    /// Newest first.
    public func models(page: PageRequest = PageRequest()) throws(StoreError) -> Page<ModelRecord> {
        try sync { connection in
            try connection.page(
                table: ModelRecord.table, kind: "model", columns: ModelRecord.columns, request: page,
                decode: ModelRecord.init)
        }
    }

    /// Deletes the model and then its weights file. A model a queued, running or paused job trains
    /// from is a `conflict`; finished jobs that named it keep their spec but lose the reference
    /// (`modelID` becomes nil).
    public func deleteModel(_ id: String) throws(StoreError) {
        let weights = try sync { connection in
            try connection.transaction { () throws -> ArtifactRef? in
                let model = try connection.requireModel(id)
                let users = try connection.read(
                    "SELECT count(*) FROM jobs WHERE model_id = ? AND status IN ('queued', 'running', 'paused')",
                    [.text(id)]).first?.first?.int ?? 0
                if users > 0 {
                    throw StoreError.conflict(kind: "model", id: id, reason: "used by \(users) queued, running or paused job(s)")
                }
                try connection.write("UPDATE jobs SET model_id = NULL WHERE model_id = ?", [.text(id)])
                try connection.write("DELETE FROM models WHERE id = ?", [.text(id)])
                return model.weights
            }
        }
        if let weights { artifactFiles.remove(weights.path) }
    }
}

extension StoreConnection {
    func requireModel(_ id: String) throws -> ModelRecord {
        guard let row = try read(ModelRecord.selectSQL + " WHERE id = ?", [.text(id)]).first else {
            throw StoreError.notFound(kind: "model", id: id)
        }
        return try ModelRecord(RowReader(table: ModelRecord.table, columns: ModelRecord.columns, row: row))
    }

    func checkModel(name: String, architecture: String, spec: String, source: ModelSource) throws {
        guard (1...256).contains(name.unicodeScalars.count) else {
            throw StoreError.invalidArgument(field: "name", reason: "must be 1 to 256 characters")
        }
        guard (1...256).contains(architecture.unicodeScalars.count) else {
            throw StoreError.invalidArgument(field: "architecture", reason: "must be 1 to 256 characters")
        }
        try requireJSON(spec, field: "spec")
        if let jobID = source.jobID { try requireJob(jobID) }
    }

    func insertModel(name: String, architecture: String, spec: String, source: ModelSource, weights: ArtifactRef?)
        throws -> ModelRecord
    {
        try checkModel(name: name, architecture: architecture, spec: spec, source: source)
        let id = try newID(prefix: "model", table: "models")
        try write(
            """
            INSERT INTO models (id, name, architecture, spec, weights_path, weights_sha256, weights_size, source,
                source_job_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(id), .text(name), .text(architecture), .text(spec),
             weights.map { .text($0.path) } ?? .null, weights.map { .text($0.sha256) } ?? .null,
             weights.map { .integer(Int64($0.size)) } ?? .null, .text(source.column),
             source.jobID.map { .text($0) } ?? .null, .integer(nowMillis())])
        return try requireModel(id)
    }
}
