import Foundation

extension Store {
    /// The artifact's bytes, read once into one buffer and checked against `ref` (SHA-256 and size);
    /// `checksumMismatch` or `artifactMissing` instead of bytes that are not what was stored.
    /// Runs on the caller's thread, not the Store's queue.
    public func readArtifact(_ ref: ArtifactRef) throws(StoreError) -> [UInt8] {
        do { return try artifactFiles.read(ref) } catch { throw StoreError.wrap(error) }
    }

    /// Streams the artifact through SHA-256 (1 MiB at a time) and, if it matches `ref`, returns its
    /// absolute path, digest and size for the caller to stream out (HTTP download) without holding it
    /// in memory. See `VerifiedArtifact` for the check-then-read window.
    public func verifiedArtifact(_ ref: ArtifactRef) throws(StoreError) -> VerifiedArtifact {
        do { return try artifactFiles.verify(ref) } catch { throw StoreError.wrap(error) }
    }

    /// The artifact opened and verified through one descriptor (see `OpenedArtifact`): what an HTTP
    /// download streams from, in constant memory, immune to the file being replaced mid-download.
    /// `artifactMissing` if the file is gone (e.g. replaced between reading its row and this call).
    public func openArtifact(_ ref: ArtifactRef) throws(StoreError) -> OpenedArtifact {
        do { return try artifactFiles.openVerified(ref) } catch { throw StoreError.wrap(error) }
    }

    /// Absolute path of an artifact, unverified (for logging, or a caller that verifies by itself).
    public func artifactPath(_ ref: ArtifactRef) -> String { artifactFiles.absolute(ref.path) }

    /// File operations that run off the queue; only the seam's tick hops onto it.
    var artifactFiles: ArtifactFiles {
        ArtifactFiles(root: connection.artifactsDirectory, tick: { [queue, connection] operation in
            try queue.sync { try connection.faults.tick(operation) }
        })
    }

    /// Writes `source` to `relativePath` (off the queue), then runs `commit` in one transaction on the
    /// queue. `commit` returns the value and the relative paths its rows stopped referencing, which are
    /// deleted after the commit. If anything fails the new file is deleted, so no artifact exists
    /// without its row; a crash in between leaves an orphan the next open sweeps.
    func storeArtifact<T>(
        _ source: ArtifactSource, at relativePath: String,
        commit: @escaping (StoreConnection, ArtifactRef) throws -> (T, [String])
    ) throws(StoreError) -> T {
        let files = artifactFiles
        let ref: ArtifactRef
        do { ref = try files.write(source, to: relativePath) } catch { throw StoreError.wrap(error) }
        do {
            // notifying: a checkpoint's row may come with its event (published once committed).
            let (value, obsolete) = try notifying { connection in try connection.transaction { try commit(connection, ref) } }
            obsolete.forEach(files.remove)
            return value
        } catch {
            files.remove(relativePath)
            throw error
        }
    }
}
