import OpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// TLS over the connection's socket. OpenSSL may need the other readiness to progress (a read
/// during the handshake wants to write, and vice versa); the flags tell the connection which
/// source to arm.
final class TLSTransport: Transport {
    let fd: Int32
    private let session: TLSSession
    private(set) var readWantsWritable = false
    private(set) var writeWantsReadable = false

    init(fd: Int32, session: TLSSession) {
        self.fd = fd
        self.session = session
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        readWantsWritable = false
        switch session.read(into: buffer) {
        case .bytes(let n): return .bytes(n)
        case .wantRead: return .wouldBlock
        case .wantWrite:
            readWantsWritable = true
            return .wouldBlock
        case .closed: return .eof
        case .failed: return .failed(EPROTO)
        }
    }

    func write(_ buffer: UnsafeRawBufferPointer) -> IOResult {
        writeWantsReadable = false
        switch session.write(buffer) {
        case .bytes(let n): return .bytes(n)
        case .wantWrite: return .wouldBlock
        case .wantRead:
            writeWantsReadable = true
            return .wouldBlock
        case .closed: return .eof
        case .failed: return .failed(EPROTO)
        }
    }

    var hasBufferedInput: Bool { session.pendingBytes > 0 }

    func shutdownWrite() {
        session.shutdown()
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    func close() { _ = Glibc.close(fd) }
}
