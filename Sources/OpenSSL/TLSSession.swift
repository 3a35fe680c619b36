import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// One TLS connection over a non-blocking socket. Not thread-safe: use from one queue.
public final class TLSSession {
    /// What a non-blocking read or write did.
    public enum Outcome: Equatable, Sendable {
        case bytes(Int)
        /// Try again when the socket is readable.
        case wantRead
        /// Try again when the socket is writable.
        case wantWrite
        /// The peer closed (close_notify or a bare TCP close).
        case closed
        case failed(String)
    }

    private let ssl: OpaquePointer

    init(ssl: OpaquePointer) { self.ssl = ssl }

    deinit { SSL_free(ssl) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Outcome {
        ERR_clear_error()
        var count = 0
        if SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count) == 1 { return .bytes(count) }
        return outcome(of: 0)
    }

    public func write(_ buffer: UnsafeRawBufferPointer) -> Outcome {
        guard buffer.count > 0 else { return .bytes(0) }
        ERR_clear_error()
        var count = 0
        if SSL_write_ex(ssl, buffer.baseAddress, buffer.count, &count) == 1 { return .bytes(count) }
        return outcome(of: 0)
    }

    /// Decrypted bytes waiting inside OpenSSL, readable without touching the socket.
    public var pendingBytes: Int { Int(SSL_pending(ssl)) }

    /// Sends close_notify (best effort; a non-blocking socket may not take it).
    public func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    private func outcome(of result: Int32) -> Outcome {
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL:
            let e = errno
            ERR_clear_error()
            if e == 0 || e == ECONNRESET || e == EPIPE { return .closed }
            if e == EAGAIN || e == EINTR { return .wantRead }
            return .failed("TLS I/O: \(String(cString: strerror(e)))")
        default:
            return .failed(TLSError.fromQueue("TLS error \(code)").message)
        }
    }
}
