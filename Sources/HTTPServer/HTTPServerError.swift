#if canImport(Glibc)
import Glibc
#endif

/// Why the server could not start (or a configuration file could not be read), with context.
public enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidAddress(host: String, reason: String)
    case system(call: String, address: String, errno: Int32)
    case alreadyStarted
    case tls(String)
    case auth(String)
    /// The readiness loops (epoll) could not be set up.
    case eventLoop(String)

    public var description: String {
        switch self {
        case .invalidAddress(let host, let reason): "invalid listen address '\(host)': \(reason)"
        case .system(let call, let address, let code): "\(call) failed for \(address): \(String(cString: strerror(code)))"
        case .alreadyStarted: "server already started"
        case .tls(let message): "TLS: \(message)"
        case .auth(let message): "auth: \(message)"
        case .eventLoop(let message): "event loop: \(message)"
        }
    }
}
