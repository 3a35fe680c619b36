#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import OpenSSL

// File-scope names for the C calls that `ArtifactFiles.read`/`write` shadow inside the type.
private func sysRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func sysWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }

/// The artifact directory's file operations: atomic checksummed writes, verified reads, the open-time
/// sweep. Pure POSIX, no database; runs on the caller's thread so a 50 MB checkpoint write or read
/// never holds the Store's queue.
///
/// A write is: create `.tmp-<random>-<name>` beside the target (same directory, so same file system
/// and rename is atomic), write every byte while hashing, fsync the file, rename over the final name,
/// fsync the directory (so the rename itself survives power loss). Until the rename a reader can see at
/// most a temp file, which the next open sweeps away; after it the file is complete and fsynced.
struct ArtifactFiles {
    static let tempPrefix = ".tmp-"
    static let chunkSize = 1 << 20

    /// Absolute artifacts directory.
    let root: String
    /// The write seam: called before each durable step; throwing aborts the write (temp removed).
    let tick: (String) throws -> Void

    func absolute(_ relativePath: String) -> String { root + "/" + relativePath }

    func write(_ source: ArtifactSource, to relativePath: String) throws -> ArtifactRef {
        let final = absolute(relativePath)
        let directory = (final as NSString).deletingLastPathComponent
        try ensureDirectory(directory)
        let temp = directory + "/" + Self.tempPrefix + RandomID.token()
            + "-" + (final as NSString).lastPathComponent
        var fd: Int32 = -1
        var renamed = false
        do {
            try tick("write \(temp)")
            fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw StoreError.io(operation: "create", path: temp, errno: errno) }
            var hasher = SHA256()
            var size = 0
            switch source {
            case .bytes(let bytes):
                try bytes.withUnsafeBytes { try writeAll(fd, $0, path: temp) }
                hasher.update(bytes)
                size = bytes.count
            case .file(let path):
                size = try copy(from: path, to: fd, tempPath: temp, hasher: &hasher)
            }
            try tick("fsync \(temp)")
            guard fsync(fd) == 0 else { throw StoreError.io(operation: "fsync", path: temp, errno: errno) }
            close(fd)
            fd = -1
            try tick("rename \(temp)")
            guard rename(temp, final) == 0 else { throw StoreError.io(operation: "rename", path: temp, errno: errno) }
            renamed = true
            try tick("fsync \(directory)")
            try fsyncDirectory(directory)
            return ArtifactRef(path: relativePath, sha256: SHA256.hexString(hasher.finalize()), size: size)
        } catch {
            if fd >= 0 { close(fd) }
            unlink(renamed ? final : temp)
            throw error
        }
    }

    /// The whole file, after checking it hashes to `ref.sha256` and is `ref.size` bytes; read once into
    /// one buffer, hashed from that buffer.
    func read(_ ref: ArtifactRef) throws -> [UInt8] {
        let path = absolute(ref.path)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw missingOrIO("open", path: path, ref: ref) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw StoreError.io(operation: "fstat", path: path, errno: errno) }
        let capacity = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: capacity)
        var filled = 0
        while filled < capacity {
            let count = bytes.withUnsafeMutableBytes { sysRead(fd, $0.baseAddress! + filled, capacity - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw StoreError.io(operation: "read", path: path, errno: errno)
            }
            if count == 0 { break }
            filled += count
        }
        bytes.removeSubrange(filled...)
        let actual = SHA256.hex(of: bytes)
        guard actual == ref.sha256, bytes.count == ref.size else {
            throw StoreError.checksumMismatch(path: ref.path, expected: ref.sha256, actual: actual)
        }
        return bytes
    }

    /// Streams the file through SHA-256 (1 MiB at a time) and checks it against `ref`.
    func verify(_ ref: ArtifactRef) throws -> VerifiedArtifact {
        let path = absolute(ref.path)
        let hashed: (digest: String, size: Int)
        do {
            hashed = try SHA256.hexOfFile(atPath: path, chunkSize: Self.chunkSize)
        } catch {
            if error.errno == ENOENT { throw StoreError.artifactMissing(path: ref.path) }
            throw StoreError.io(operation: error.operation, path: path, errno: error.errno)
        }
        guard hashed.digest == ref.sha256, hashed.size == ref.size else {
            throw StoreError.checksumMismatch(path: ref.path, expected: ref.sha256, actual: hashed.digest)
        }
        return VerifiedArtifact(path: path, sha256: ref.sha256, size: ref.size)
    }

    /// Opens the file and hashes it through that descriptor in 64 KiB pieces (many concurrent
    /// downloads stay small), then checks it against `ref`.
    func openVerified(_ ref: ArtifactRef) throws -> OpenedArtifact {
        let path = absolute(ref.path)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw missingOrIO("open", path: path, ref: ref) }
        let opened = OpenedArtifact(fd: fd, path: ref.path, sha256: ref.sha256, size: ref.size)
        let hashed: (digest: String, size: Int)
        do {
            hashed = try SHA256.hexOfFile(descriptor: fd, path: path, chunkSize: 64 << 10)
        } catch {
            throw StoreError.io(operation: error.operation, path: path, errno: error.errno)
        }
        guard hashed.digest == ref.sha256, hashed.size == ref.size else {
            throw StoreError.checksumMismatch(path: ref.path, expected: ref.sha256, actual: hashed.digest)
        }
        return opened
    }

    /// Best effort: used after a commit made a file unreferenced; a failure leaves an orphan that the
    /// next open's sweep removes.
    func remove(_ relativePath: String) {
        unlink(absolute(relativePath))
    }

    /// Deletes temp files (interrupted writes) and files no row references (written, but the row's
    /// transaction failed or the process died before it committed). Returns their relative paths, sorted.
    /// Only safe while no write is in flight: the Store calls it once, while opening.
    /// `olderThan`: only files last modified before it (a shared directory, where another node's
    /// write in progress must not be taken for an orphan).
    func sweep(keeping referenced: Set<String>, olderThan cutoff: Date? = nil) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var removed: [String] = []
        while let relative = walker.nextObject() as? String {
            if relative == Store.datasetCacheFolder {
                walker.skipDescendants()  // caches, not artifacts: no row references them
                continue
            }
            guard walker.fileAttributes?[.type] as? FileAttributeType == .typeRegular else { continue }
            let name = (relative as NSString).lastPathComponent
            if let cutoff, let modified = walker.fileAttributes?[.modificationDate] as? Date, modified >= cutoff { continue }
            if name.hasPrefix(Self.tempPrefix) || !referenced.contains(relative) {
                if unlink(absolute(relative)) == 0 { removed.append(relative) }
            }
        }
        return removed.sorted()
    }

    // MARK: POSIX helpers

    private func missingOrIO(_ operation: String, path: String, ref: ArtifactRef) -> StoreError {
        errno == ENOENT ? .artifactMissing(path: ref.path) : .io(operation: operation, path: path, errno: errno)
    }

    private func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < buffer.count {
            let count = sysWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw StoreError.io(operation: "write", path: path, errno: errno)
            }
            offset += count
        }
    }

    private func copy(from source: String, to fd: Int32, tempPath: String, hasher: inout SHA256) throws -> Int {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw StoreError.io(operation: "open", path: source, errno: errno) }
        defer { close(input) }
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        var size = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { sysRead(input, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw StoreError.io(operation: "read", path: source, errno: errno)
            }
            if count == 0 { return size }
            try buffer.withUnsafeBytes { chunk in
                let piece = UnsafeRawBufferPointer(rebasing: chunk[0..<count])
                hasher.update(piece)
                try writeAll(fd, piece, path: tempPath)
            }
            size += count
        }
    }

    private func ensureDirectory(_ path: String) throws { try Self.makeDirectories(path) }

    /// mkdir -p, fsyncing each parent whose entry list changed so the new directories are durable.
    static func makeDirectories(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            if (info.st_mode & S_IFMT) == S_IFDIR { return }
            throw StoreError.io(operation: "mkdir", path: path, errno: ENOTDIR)
        }
        let parent = (path as NSString).deletingLastPathComponent
        if parent != path && !parent.isEmpty { try makeDirectories(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw StoreError.io(operation: "mkdir", path: path, errno: errno)
        }
        try fsyncDirectory(parent.isEmpty ? "." : parent)
    }

    private func fsyncDirectory(_ path: String) throws { try Self.fsyncDirectory(path) }

    private static func fsyncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw StoreError.io(operation: "fsync", path: path, errno: errno) }
    }
}
