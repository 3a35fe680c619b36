import COpenSSL

/// Streaming SHA-256 over OpenSSL's EVP interface; used for artifact checksums and ETags.
public struct SHA256: ~Copyable {
    private let context: OpaquePointer

    public init() {
        guard let ctx = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
        EVP_DigestInit_ex(ctx, EVP_sha256(), nil)
        context = ctx
    }

    deinit { EVP_MD_CTX_free(context) }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    /// The 32-byte digest; the hasher must not be used afterwards.
    public consuming func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        return out
    }

    /// Lower-case hex digest of `bytes`.
    public static func hex(of bytes: some Sequence<UInt8>) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return hexString(hasher.finalize())
    }

    public static func hexString(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var chars = [UInt8]()
        chars.reserveCapacity(digest.count * 2)
        for byte in digest {
            chars.append(digits[Int(byte >> 4)])
            chars.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: chars, as: UTF8.self)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file could not be hashed: the failing call, the path and the C errno.
public struct SHA256FileError: Error, Equatable, Sendable, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let errno: Int32

    public init(operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    public var description: String { "\(operation) \(path) failed (errno \(errno))" }
}

extension SHA256 {
    /// Streams the file at `path` through SHA-256 in `chunkSize` pieces (default 1 MiB) so a large
    /// checkpoint is hashed without being held in memory. Returns the lower-case hex digest and the
    /// number of bytes hashed.
    public static func hexOfFile(atPath path: String, chunkSize: Int = 1 << 20) throws(SHA256FileError)
        -> (digest: String, size: Int)
    {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SHA256FileError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        return try hexOfFile(descriptor: fd, path: path, chunkSize: chunkSize)
    }

    /// The same for an open file, read with pread(2) from offset 0 to its end, so the descriptor's
    /// own offset is left alone (a caller may verify a file and then serve it from the same
    /// descriptor). `path` only names the file in errors.
    public static func hexOfFile(descriptor fd: Int32, path: String, chunkSize: Int = 1 << 20) throws(SHA256FileError)
        -> (digest: String, size: Int)
    {
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: max(chunkSize, 1))
        var size = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(size)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SHA256FileError(operation: "read", path: path, errno: errno)
            }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            size += count
        }
        return (hexString(hasher.finalize()), size)
    }
}
