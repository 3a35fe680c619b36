import COpenSSL

/// Why a TLS context could not be built; names the file that was at fault.
public struct TLSError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// `context` plus the oldest queued OpenSSL error, then clears the queue.
    static func fromQueue(_ context: String) -> TLSError {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return TLSError(context) }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return TLSError("\(context): \(String(cString: buffer))")
    }
}

/// A server-side TLS configuration (OpenSSL `SSL_CTX`): certificate chain and key from PEM
/// files, TLS 1.2 minimum. Shared by every connection; OpenSSL makes `SSL_new` on it thread-safe.
public final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer

    public init(certificateFile: String, privateKeyFile: String) throws(TLSError) {
        guard let ctx = SSL_CTX_new(TLS_server_method()) else { throw TLSError.fromQueue("SSL_CTX_new failed") }
        context = ctx
        _ = thaw_SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION)
        // Partial writes and a moving buffer: the connection retries from a growing array whose
        // address may change between calls.
        _ = thaw_SSL_CTX_set_mode(ctx, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER))
        guard SSL_CTX_use_certificate_chain_file(ctx, certificateFile) == 1 else {
            throw TLSError.fromQueue("cannot load certificate \(certificateFile)")
        }
        guard SSL_CTX_use_PrivateKey_file(ctx, privateKeyFile, SSL_FILETYPE_PEM) == 1 else {
            throw TLSError.fromQueue("cannot load private key \(privateKeyFile)")
        }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            throw TLSError.fromQueue("private key \(privateKeyFile) does not match certificate \(certificateFile)")
        }
    }

    deinit { SSL_CTX_free(context) }

    /// A session for an accepted, non-blocking socket; the handshake runs inside the first reads.
    public func makeSession(fd: Int32) throws(TLSError) -> TLSSession {
        guard let ssl = SSL_new(context) else { throw TLSError.fromQueue("SSL_new failed") }
        guard SSL_set_fd(ssl, fd) == 1 else {
            SSL_free(ssl)
            throw TLSError.fromQueue("SSL_set_fd failed")
        }
        SSL_set_accept_state(ssl)
        return TLSSession(ssl: ssl)
    }
}
