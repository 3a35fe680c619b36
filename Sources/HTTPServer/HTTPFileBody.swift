#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A response body read from an open file as the client takes it, so a download costs a bounded
/// buffer (`Connection.fileWindow`) however large the file and however many clients fetch it.
///
/// Owns `descriptor` (closed on deinit) and reads it with pread(2) from offset 0 to `length`, which
/// is sent as Content-Length. Serving from a descriptor rather than a path means a file renamed over
/// or unlinked after the handler opened it is still served whole.
public final class HTTPFileBody: @unchecked Sendable {
    public let length: Int
    private let descriptor: Int32

    public init(descriptor: Int32, length: Int) {
        self.descriptor = descriptor
        self.length = max(0, length)
    }

    /// Appends up to `count` bytes from `offset` to `output`; the number appended, 0 at the end of the
    /// file, nil on a read error.
    func read(at offset: Int, count: Int, into output: inout [UInt8]) -> Int? {
        withUnsafeTemporaryAllocation(byteCount: count, alignment: 16) { scratch in
            while true {
                let got = pread(descriptor, scratch.baseAddress, count, off_t(offset))
                if got >= 0 {
                    output.append(contentsOf: scratch[0..<got])
                    return got
                }
                if errno != EINTR { return nil }
            }
        }
    }

    deinit { close(descriptor) }
}
