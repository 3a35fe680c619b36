import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A request body spooled to a temporary file as it arrived (routes whose `HTTPBodyPolicy` says
/// `.file`), so a large upload never sits in memory. The file is unlinked as soon as the handler
/// returns (before the response goes out), or when the client disconnects mid-body; a handler
/// that wants to keep the bytes must copy or link them elsewhere.
public final class HTTPBodyFile: @unchecked Sendable {
    /// Where the bytes are; valid while this object lives.
    public let path: String
    /// Bytes written so far (the whole body once the handler sees it).
    public private(set) var size = 0
    private var fd: Int32

    /// Creates `directory/upload-XXXXXX.tmp` (mode 0600); the directory is created if missing.
    init(directory: String) throws(HTTPBodyFileError) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var template = Array((directory as NSString).appendingPathComponent("upload-XXXXXX.tmp").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 4) }
        guard fd >= 0 else { throw HTTPBodyFileError(operation: "create", errno: errno) }
        self.fd = fd
        self.path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    private let removeLock = NSLock()
    private var removed = false

    deinit {
        if fd >= 0 { Glibc.close(fd) }
        remove()
    }

    /// Unlinks the file (once; later calls do nothing).
    func remove() {
        let first = removeLock.withLock {
            defer { removed = true }
            return !removed
        }
        if first { unlink(path) }
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPBodyFileError) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw HTTPBodyFileError(operation: "write", errno: errno)
            }
            offset += n
        }
        size += bytes.count
    }

    /// The body is complete: no more writes.
    func finish() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// The whole body, memory-mapped (pages are read on demand and not counted as heap).
    public func mappedData() throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    }
}

/// Spooling a body to disk failed (disk full, directory not writable); the client gets a 500.
struct HTTPBodyFileError: Error {
    let operation: String
    let errno: Int32
}
