#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An artifact file opened once and checked through that same descriptor (SHA-256 and size match
/// its `ArtifactRef`), ready to be served without holding it in memory.
///
/// Because the descriptor pins the file's inode, the bytes read from it are the ones that were
/// verified even if the artifact is replaced meanwhile (a new `best` checkpoint is written to a new
/// path and the old one unlinked): a download that started completes with the file it started.
/// Closes the descriptor on deinit unless `releaseDescriptor()` handed it on.
public final class OpenedArtifact: @unchecked Sendable {
    /// Relative artifact path, for messages.
    public let path: String
    public let sha256: String
    public let size: Int
    private var fd: Int32

    init(fd: Int32, path: String, sha256: String, size: Int) {
        self.fd = fd
        self.path = path
        self.sha256 = sha256
        self.size = size
    }

    /// Gives the descriptor (positioned at 0) to the caller, who must close it; -1 if already given.
    public func releaseDescriptor() -> Int32 {
        defer { fd = -1 }
        return fd
    }

    deinit { if fd >= 0 { close(fd) } }
}
