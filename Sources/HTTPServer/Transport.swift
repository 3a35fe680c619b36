#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Outcome of one non-blocking read or write.
enum IOResult: Sendable, Equatable {
    case bytes(Int)
    case wouldBlock
    case eof
    case failed(Int32)
}

/// Byte transport under a connection: the plain socket or TLS over it. Used only on the
/// connection's queue.
protocol Transport: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult
    func write(_ buffer: UnsafeRawBufferPointer) -> IOResult
    /// TLS may need the opposite readiness to make progress (handshake, key update).
    var readWantsWritable: Bool { get }
    var writeWantsReadable: Bool { get }
    /// Decrypted bytes already inside the transport (TLS records), readable without the socket.
    var hasBufferedInput: Bool { get }
    /// Stops sending (FIN, or TLS close_notify then FIN); reads still work.
    func shutdownWrite()
    /// Releases everything and closes the descriptor. Called once.
    func close()
}

/// The socket itself.
final class PlainTransport: Transport {
    let fd: Int32

    init(fd: Int32) { self.fd = fd }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .eof }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .failed(errno)
            }
        }
    }

    func write(_ buffer: UnsafeRawBufferPointer) -> IOResult {
        while true {
            let n = send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return .bytes(n) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .failed(errno)
            }
        }
    }

    var readWantsWritable: Bool { false }
    var writeWantsReadable: Bool { false }
    var hasBufferedInput: Bool { false }

    func shutdownWrite() { _ = shutdown(fd, Int32(SHUT_WR)) }

    func close() { _ = Glibc.close(fd) }
}
