#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads with errors that name the file; no Foundation `Data` (this module's name shadows it).
enum FileBytes {
    /// Size in bytes and modification time (nanoseconds since the epoch) of a regular file.
    struct Stat: Equatable, Sendable {
        var size: Int
        var mtimeNanoseconds: Int64
        var isDirectory: Bool
    }

    static func info(_ path: String) throws(DataError) -> Stat {
        var st = Glibc.stat()
        guard stat(path, &st) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw DataError(.missingPath, path: path, "no such file or directory") }
            throw DataError(.unreadable, path: path, "cannot stat: \(String(cString: strerror(code)))")
        }
        let nanos = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        return Stat(size: Int(st.st_size), mtimeNanoseconds: nanos, isDirectory: (st.st_mode & S_IFMT) == S_IFDIR)
    }

    static func read(_ path: String) throws(DataError) -> [UInt8] {
        let info = try info(path)
        if info.isDirectory { throw DataError(.unreadable, path: path, "is a directory, expected a file") }
        guard let file = fopen(path, "rb") else {
            throw DataError(.unreadable, path: path, "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(info.size)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
            if n < chunk.count {
                if ferror(file) != 0 { throw DataError(.unreadable, path: path, "read error after \(bytes.count) bytes") }
                break
            }
        }
        return bytes
    }

    /// Writes `bytes` durably: temp file in the same directory, fsync, rename.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(DataError) {
        let temp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw DataError(.unreadable, path: temp, "cannot create: \(String(cString: strerror(errno)))") }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
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
}
