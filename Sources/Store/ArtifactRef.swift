/// Where an artifact's bytes live and what they must hash to. Stored in the artifact's row.
public struct ArtifactRef: Sendable, Equatable {
    /// Relative to the Store's artifacts directory, e.g. "checkpoints/job_…/last-e3-1a2b3c4d.ckpt".
    public var path: String
    /// Lower-case hex SHA-256 of the whole file, computed while writing.
    public var sha256: String
    /// Bytes.
    public var size: Int

    public init(path: String, sha256: String, size: Int) {
        self.path = path
        self.sha256 = sha256
        self.size = size
    }
}

/// An artifact file checked against its `ArtifactRef` just now, ready to stream (e.g. as an HTTP
/// download with `ETag: "<sha256>"` and `Content-Length: size`) without loading it.
///
/// The check and the later read are not one atomic step: a file tampered with in between would be
/// served. Artifact files are never rewritten in place (new content always gets a new path), so this
/// window only matters against an attacker with write access to the data dir.
public struct VerifiedArtifact: Sendable, Equatable {
    /// Absolute path.
    public var path: String
    public var sha256: String
    public var size: Int
}

/// Bytes to store as an artifact: in memory, or a file to copy (hashing while copying) — e.g. an
/// upload already spooled to disk. The source file is left in place.
public enum ArtifactSource: Sendable {
    case bytes([UInt8])
    case file(path: String)
}
