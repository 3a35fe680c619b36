#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads with errors that name the file; no Foundation `Data` (this module's name shadows it).
enum FileBytes {
    /// Size in bytes, modification time (nanoseconds since the epoch) and type of a file.
    struct Stat: Equatable, Sendable {
        var size: Int
        var mtimeNanoseconds: Int64
        var isDirectory: Bool
        /// A plain file: not a FIFO, socket or device (which could block a read forever or never end).
        var isRegular: Bool = true
        /// Only from `linkInfo`: the path itself is a symbolic link.
        var isSymbolicLink: Bool = false

        init(size: Int, mtimeNanoseconds: Int64, isDirectory: Bool, isRegular: Bool = true, isSymbolicLink: Bool = false) {
            self.size = size
            self.mtimeNanoseconds = mtimeNanoseconds
            self.isDirectory = isDirectory
            self.isRegular = isRegular
            self.isSymbolicLink = isSymbolicLink
        }

        init(_ st: Glibc.stat) {
            let nanos = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
            let type = st.st_mode & S_IFMT
            self.init(size: Int(st.st_size), mtimeNanoseconds: nanos, isDirectory: type == S_IFDIR,
                      isRegular: type == S_IFREG, isSymbolicLink: type == S_IFLNK)
        }
    }

    /// stat(2): links followed.
    static func info(_ path: String) throws(DataError) -> Stat {
        var st = Glibc.stat()
        guard stat(path, &st) == 0 else { throw statError(path, errno) }
        return Stat(st)
    }

    /// lstat(2): a link is described itself, not its target.
    static func linkInfo(_ path: String) throws(DataError) -> Stat {
        var st = Glibc.stat()
        guard lstat(path, &st) == 0 else { throw statError(path, errno) }
        return Stat(st)
    }

    private static func statError(_ path: String, _ code: Int32) -> DataError {
        if code == ENOENT || code == ENOTDIR { return DataError(.missingPath, path: path, "no such file or directory") }
        return DataError(.unreadable, path: path, "cannot stat: \(String(cString: strerror(code)))")
    }

    /// The whole file. Only regular files are read: the type is checked on the opened descriptor
    /// (opened non-blocking, so a FIFO cannot stall the open), not on the name, so a file swapped
    /// for a FIFO after a listing is refused too. Files over `maxBytes` are refused before any
    /// allocation (a sparse file can claim a terabyte).
    static func read(_ path: String, maxBytes: Int = Int.max) throws(DataError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw DataError(.missingPath, path: path, "no such file or directory") }
            throw DataError(.unreadable, path: path, "cannot open: \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        var st = Glibc.stat()
        guard fstat(fd, &st) == 0 else { throw DataError(.unreadable, path: path, "cannot stat: \(String(cString: strerror(errno)))") }
        let info = Stat(st)
        if info.isDirectory { throw DataError(.unreadable, path: path, "is a directory, expected a file") }
        guard info.isRegular else { throw DataError(.notARegularFile, path: path, "is not a regular file (a FIFO, socket or device)") }
        guard info.size <= maxBytes else {
            throw DataError(.tooLarge, path: path, "is \(info.size) bytes, over the \(maxBytes)-byte limit per file")
        }
        // Back to blocking reads: a regular file never blocks, but O_NONBLOCK must not leak into
        // semantics on filesystems that honour it.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        var bytes = [UInt8](repeating: 0, count: info.size)
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw DataError(.unreadable, path: path, "read error after \(filled) bytes: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            filled += n
        }
        // A file that shrank while being read is returned as it was; one that grew is cut at the cap.
        if filled < bytes.count { bytes.removeSubrange(filled...) }
        return bytes
    }

    /// Writes `bytes` durably: temp file in the same directory, fsync, rename. The temp name is
    /// `<path>.tmp-<pid>-<random>`, the pattern `sweepOrphanedTemporaries` recognises.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(DataError) {
        let temp = path + "\(temporaryMarker)\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DataError(.unreadable, path: temp, "cannot create: \(String(cString: strerror(errno)))") }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                written += n
            }
            return fsync(fd) == 0
        }
        close(fd)
        guard ok, rename(temp, path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temp)
            throw DataError(.unreadable, path: path, "cannot write: \(message)")
        }
    }

    static let temporaryMarker = ".tmp-"

    /// Deletes `writeAtomically` temp files in `directory` left by processes that no longer run
    /// (killed mid-write): their pid is in the name. Files of live processes, this one included,
    /// are kept, since they may be mid-write. Returns the names removed.
    ///
    /// `olderThanNanoseconds` (since the epoch): for a directory other machines write too, where a
    /// pid says nothing (another node's writer is not a process here). Then a temp file is removed
    /// only if it was last modified before the cutoff, whatever its pid, and never if it is this
    /// process's.
    @discardableResult
    static func sweepOrphanedTemporaries(in directory: String, olderThanNanoseconds cutoff: Int64? = nil) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        var names = [String]()
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            names.append(name)
        }
        closedir(dir)
        var removed = [String]()
        for name in names {
            guard let pid = temporaryOwner(name), pid != getpid() else { continue }
            if cutoff == nil, kill(pid, 0) == 0 || errno == EPERM { continue }  // alive (EPERM: alive, someone else's)
            let path = directory + "/" + name
            guard let info = try? linkInfo(path), info.isRegular else { continue }
            if let cutoff, info.mtimeNanoseconds >= cutoff { continue }
            if unlink(path) == 0 { removed.append(name) }
        }
        return removed.sorted()
    }

    /// The writer's pid when `name` is `<anything>.tmp-<pid>-<digits>`, else nil.
    static func temporaryOwner(_ name: String) -> pid_t? {
        let bytes = Array(name.utf8), marker = Array(temporaryMarker.utf8)
        guard bytes.count > marker.count,
              let start = (0...(bytes.count - marker.count)).last(where: { bytes[$0..<($0 + marker.count)].elementsEqual(marker) })
        else { return nil }
        let tail = String(decoding: bytes[(start + marker.count)...], as: UTF8.self)
        let parts = tail.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let pid = pid_t(parts[0]), pid > 0, UInt32(parts[1]) != nil else { return nil }
        return pid
    }
}
