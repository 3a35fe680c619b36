import Foundation

extension StoreConnection {
    /// Artifact file operations whose write seam is this connection's (only for use on the queue).
    var files: ArtifactFiles {
        ArtifactFiles(root: artifactsDirectory, tick: { [faults] in try faults.tick($0) })
    }

    /// Every artifact path a row references, relative to the artifacts directory.
    func referencedArtifacts() throws -> Set<String> {
        let rows = try read("SELECT path FROM checkpoints UNION ALL SELECT weights_path FROM models WHERE weights_path IS NOT NULL")
        return Set(rows.compactMap { $0.first?.string })
    }

    /// Creates the artifacts directory if missing and sweeps it (see `ArtifactFiles.sweep`); returns the
    /// relative paths removed.
    ///
    /// On PostgreSQL other nodes may share the directory and be writing into it now (a temp file, or
    /// a file renamed into place whose row is not committed yet): only files untouched for
    /// `Store.sharedSweepAge` are swept there.
    func prepareArtifactsDirectory() throws -> [String] {
        try ArtifactFiles.makeDirectories(artifactsDirectory)
        let cutoff = db.dialect == .postgres ? Date().addingTimeInterval(-Store.sharedSweepAge) : nil
        return files.sweep(keeping: try referencedArtifacts(), olderThan: cutoff)
    }

}
