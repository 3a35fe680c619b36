/// What can go wrong talking to thawd, with enough context to print a useful CLI message.
public enum ClientError: Error, CustomStringConvertible, Sendable {
    case cannotResolve(host: String)
    case cannotConnect(host: String, port: Int, reason: String)
    case io(String)
    case malformedResponse(String)
    case http(status: Int, code: String, message: String)

    public var description: String {
        switch self {
        case .cannotResolve(let host): return "cannot resolve host '\(host)'"
        case .cannotConnect(let host, let port, let reason):
            return "cannot connect to \(host):\(port): \(reason) (is thawd running?)"
        case .io(let reason): return "connection error: \(reason)"
        case .malformedResponse(let reason): return "malformed response from server: \(reason)"
        case .http(let status, let code, let message): return "HTTP \(status) \(code): \(message)"
        }
    }
}
