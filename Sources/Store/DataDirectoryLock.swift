#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An exclusive `flock` on `<data-dir>/thaw.lock`, held for as long as the Store is open.
///
/// The Store's open-time sweep deletes every artifact temp file and every file no row references, and
/// start-up recovery marks running jobs interrupted: both are only right if no other process uses the
/// same files. So the lock is taken before anything is read, swept or migrated, and a second process
/// gets `StoreError.locked` naming the holder's pid (written into the file) without touching anything.
/// The kernel drops the lock when the holder dies, however it dies, so a `kill -9` never leaves a stale
/// lock behind. The descriptor is close-on-exec: a child process does not inherit the lock.
final class DataDirectoryLock {
    let path: String
    private let fd: Int32

    /// Takes the lock or throws `locked(path:holder:)` at once (never waits).
    init(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.io(operation: "open", path: path, errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = Self.recordedPID(fd)
            close(fd)
            if code == EWOULDBLOCK { throw StoreError.locked(path: path, holder: holder) }
            throw StoreError.io(operation: "flock", path: path, errno: code)
        }
        // The pid is for the second process's message only; the lock itself is the flock.
        let text = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) != 0 || text.withUnsafeBytes({ pwrite(fd, $0.baseAddress, $0.count, 0) }) != text.count {
            let code = errno
            close(fd)
            throw StoreError.io(operation: "write", path: path, errno: code)
        }
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// The pid the holder wrote, if the file holds one.
    private static func recordedPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
