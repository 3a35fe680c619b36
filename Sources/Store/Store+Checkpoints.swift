import Foundation
import JobAPI
import SQLite

extension Store {
    /// Stores a checkpoint file for a job (atomically, with its SHA-256) and its row.
    ///
    /// `best`/`last` replace the job's previous checkpoint of that kind and an `epoch` checkpoint
    /// replaces one for the same epoch; the replaced file is deleted after the commit. The job must exist
    /// and not be terminal (`conflict`); `metrics` must be JSON; `epoch` >= 0. Appends no event unless
    /// given `event`, which is appended (idempotently, by its key) in the same transaction as the row:
    /// a crash cannot separate a resume point from its announcement.
    @discardableResult
    public func addCheckpoint(
        job jobID: String, kind: CheckpointKind, epoch: Int, metrics: String = "{}", source: ArtifactSource,
        event: (event: TrainingEvent, key: String?)? = nil, lease: Lease? = nil
    ) throws(StoreError) -> CheckpointRecord {
        guard epoch >= 0 else { throw .invalidArgument(field: "epoch", reason: "must be >= 0") }
        // Checked before writing a possibly large file, and again inside the transaction.
        try sync { connection in
            try connection.checkCheckpointable(jobID: jobID, metrics: metrics)
            if let lease { try connection.transaction { try connection.checkLease(lease) } }
        }
        let name = "checkpoints/\(jobID)/\(kind.rawValue)-e\(epoch)-\(RandomID.token()).ckpt"
        let record = try storeArtifact(source, at: name) { connection, ref in
            try connection.fenced(lease) {
            let inserted = try connection.insertCheckpoint(jobID: jobID, kind: kind, epoch: epoch, metrics: metrics, artifact: ref)
            if let event {
                _ = try connection.appendEvent(jobID: jobID, event: event.event, key: event.key)
            }
            return inserted
            }
        }
        return record
    }

    public func checkpoint(_ id: String) throws(StoreError) -> CheckpointRecord {
        try sync { connection in
            guard let record = try connection.checkpoints(where: "id = ?", [.text(id)]).first else {
                throw StoreError.notFound(kind: "checkpoint", id: id)
            }
            return record
        }
    }

    /// All of a job's checkpoints, oldest first.
    public func checkpoints(job jobID: String) throws(StoreError) -> [CheckpointRecord] {
        try sync { connection in
            try connection.requireJob(jobID)
            return try connection.checkpoints(where: "job_id = ?", [.text(jobID)])
        }
    }

    /// The job's `best` checkpoint, nil if none was saved.
    public func bestCheckpoint(job jobID: String) throws(StoreError) -> CheckpointRecord? {
        try sync { connection in
            try connection.requireJob(jobID)
            return try connection.checkpoints(where: "job_id = ? AND kind = 'best'", [.text(jobID)]).last
        }
    }

    /// The state to resume from: the most recently saved `last` or `epoch` checkpoint (`best` is a copy
    /// kept for export, not a resume point); nil if none.
    public func lastCheckpoint(job jobID: String) throws(StoreError) -> CheckpointRecord? {
        try sync { connection in
            try connection.requireJob(jobID)
            return try connection.checkpoints(where: "job_id = ? AND kind IN ('last', 'epoch')", [.text(jobID)]).last
        }
    }

    /// Retention: deletes the job's `epoch` checkpoints (rows, then files) except the newest `keepLast`
    /// (>= 1) by epoch and the one whose epoch the `last` resume state belongs to (a resume needs both).
    /// `best` and `last` are never touched. Returns what was deleted, oldest first.
    @discardableResult
    /// `lease`: the worker's (fenced).
    public func pruneEpochCheckpoints(job jobID: String, keepLast: Int, lease: Lease? = nil) throws(StoreError) -> [CheckpointRecord] {
        guard keepLast >= 1 else { throw .invalidArgument(field: "keep_last", reason: "must be at least 1") }
        let removed = try sync { connection in
            try connection.fenced(lease) { () throws -> [CheckpointRecord] in
                try connection.requireJob(jobID)
                let all = try connection.checkpoints(where: "job_id = ?", [.text(jobID)])
                let resumeEpochs = Set(all.filter { $0.kind == .last }.map(\.epoch))
                let epochs = all.filter { $0.kind == .epoch }.sorted { $0.epoch > $1.epoch }
                let doomed = epochs.dropFirst(keepLast).filter { !resumeEpochs.contains($0.epoch) }
                for record in doomed {
                    try connection.write("DELETE FROM checkpoints WHERE id = ?", [.text(record.id)])
                }
                return doomed.sorted { $0.epoch < $1.epoch }
            }
        }
        let files = artifactFiles
        removed.forEach { files.remove($0.artifact.path) }
        return removed
    }

    /// The checkpoint's bytes, verified (see `readArtifact`).
    public func readCheckpoint(_ checkpoint: CheckpointRecord) throws(StoreError) -> [UInt8] {
        try readArtifact(checkpoint.artifact)
    }
}

extension StoreConnection {
    func checkpoints(where condition: String, _ parameters: [SQLiteValue]) throws -> [CheckpointRecord] {
        try read(CheckpointRecord.selectSQL + " WHERE " + condition + " ORDER BY seq", parameters).map {
            try CheckpointRecord(RowReader(table: CheckpointRecord.table, columns: CheckpointRecord.columns, row: $0))
        }
    }

    func checkCheckpointable(jobID: String, metrics: String) throws {
        try requireJSON(metrics, field: "metrics")
        // The id names a directory: only ids this Store generated may reach the file system.
        guard RandomID.isWellFormed(jobID, prefix: "job") else { throw StoreError.notFound(kind: "job", id: jobID) }
        let job = try requireJob(jobID)
        if job.status.isTerminal {
            throw StoreError.conflict(kind: "job", id: jobID, reason: "job is \(job.status.rawValue)")
        }
    }

    /// Inserts the row, removing the one it replaces; returns the record and the replaced file's path.
    func insertCheckpoint(jobID: String, kind: CheckpointKind, epoch: Int, metrics: String, artifact: ArtifactRef)
        throws -> (CheckpointRecord, [String])
    {
        try checkCheckpointable(jobID: jobID, metrics: metrics)
        let replaced = kind == .epoch
            ? try checkpoints(where: "job_id = ? AND kind = 'epoch' AND epoch = ?", [.text(jobID), .integer(Int64(epoch))])
            : try checkpoints(where: "job_id = ? AND kind = ?", [.text(jobID), .text(kind.rawValue)])
        for old in replaced {
            try write("DELETE FROM checkpoints WHERE id = ?", [.text(old.id)])
        }
        let id = try newID(prefix: "ckpt", table: "checkpoints")
        try write(
            """
            INSERT INTO checkpoints (id, job_id, kind, epoch, metrics, path, sha256, size, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(id), .text(jobID), .text(kind.rawValue), .integer(Int64(epoch)), .text(metrics),
             .text(artifact.path), .text(artifact.sha256), .integer(Int64(artifact.size)), .integer(nowMillis())])
        let record = try checkpoints(where: "id = ?", [.text(id)])[0]
        return (record, replaced.map(\.artifact.path))
    }
}
