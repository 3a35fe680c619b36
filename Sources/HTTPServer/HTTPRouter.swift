import HTTP1

/// A handler runs on the handler queue, never on the I/O queue, so it may block.
public typealias HTTPHandler = @Sendable (HTTPRequest) throws -> HTTPResponse

/// Method + path-pattern routing. Patterns are `/`-separated literals, `:name` parameters
/// (`/v1/jobs/:id/events`) and an optional final `*name` capturing the rest of the path.
/// Routes are tried in registration order; the first match wins.
public struct HTTPRouter: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        case rest(String)
    }

    struct Route: Sendable {
        let method: HTTPMethod
        let pattern: [Segment]
        let handler: HTTPHandler
        let body: HTTPBodyPolicySelector?
        let inline: Bool
    }

    public enum Match: @unchecked Sendable {
        /// `body` is the route's body policy selector (nil: the server default); `inline`: the
        /// handler runs on the connection's queue (see `add`).
        case found(HTTPHandler, parameters: [String: String], body: HTTPBodyPolicySelector?, inline: Bool)
        /// The path exists under other methods (for `Allow`).
        case methodNotAllowed([HTTPMethod])
        case notFound
    }

    private var routes: [Route] = []

    public init() {}

    /// `body` chooses the route's body limit and storage from the head; nil keeps the server default.
    ///
    /// `inline: true` is for a handler that never blocks (no I/O, no waiting on anything that does:
    /// a liveness probe, a precomputed answer). It runs on the event loop's thread that read the
    /// request (inside the connection's queue) as soon as the request is complete, skipping the
    /// thread hand-offs to the handler queue and back, which are most of a small request's cost;
    /// and it answers even when every handler thread is busy. A handler that may block must not be
    /// inline: it would stall every connection of its loop (about one core's share of them).
    public mutating func add(_ method: HTTPMethod, _ pattern: String, body: HTTPBodyPolicySelector? = nil,
                             inline: Bool = false, _ handler: @escaping HTTPHandler) {
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: true).map { raw -> Segment in
            if raw.hasPrefix(":") { return .parameter(String(raw.dropFirst())) }
            if raw.hasPrefix("*") { return .rest(String(raw.dropFirst())) }
            return .literal(String(raw))
        }
        routes.append(Route(method: method, pattern: segments, handler: handler, body: body, inline: inline))
    }

    public mutating func get(_ pattern: String, _ handler: @escaping HTTPHandler) { add(.GET, pattern, handler) }
    public mutating func post(_ pattern: String, body: HTTPBodyPolicySelector? = nil, _ handler: @escaping HTTPHandler) {
        add(.POST, pattern, body: body, handler)
    }
    public mutating func put(_ pattern: String, body: HTTPBodyPolicySelector? = nil, _ handler: @escaping HTTPHandler) {
        add(.PUT, pattern, body: body, handler)
    }
    public mutating func patch(_ pattern: String, _ handler: @escaping HTTPHandler) { add(.PATCH, pattern, handler) }
    public mutating func delete(_ pattern: String, _ handler: @escaping HTTPHandler) { add(.DELETE, pattern, handler) }

    /// Resolves `method` on decoded `segments`. HEAD falls back to the GET route.
    public func match(_ method: HTTPMethod, segments: [String]) -> Match {
        var allowed: [HTTPMethod] = []
        var headFallback: Route?
        var headParameters: [String: String] = [:]
        for route in routes {
            guard let parameters = Self.bind(route.pattern, segments) else { continue }
            if route.method == method {
                return .found(route.handler, parameters: parameters, body: route.body, inline: route.inline)
            }
            if method == .HEAD, route.method == .GET, headFallback == nil {
                headFallback = route
                headParameters = parameters
            }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        if let headFallback {
            return .found(headFallback.handler, parameters: headParameters, body: headFallback.body, inline: headFallback.inline)
        }
        if allowed.isEmpty { return .notFound }
        if allowed.contains(.GET), !allowed.contains(.HEAD) { allowed.append(.HEAD) }
        return .methodNotAllowed(allowed)
    }

    static func bind(_ pattern: [Segment], _ segments: [String]) -> [String: String]? {
        var parameters: [String: String] = [:]
        var i = 0
        for (k, segment) in pattern.enumerated() {
            switch segment {
            case .rest(let name):
                guard k == pattern.count - 1 else { return nil }
                parameters[name] = segments[min(i, segments.count)...].joined(separator: "/")
                return parameters
            case .literal(let text):
                guard i < segments.count, segments[i] == text else { return nil }
            case .parameter(let name):
                guard i < segments.count, !segments[i].isEmpty else { return nil }
                parameters[name] = segments[i]
            }
            i += 1
        }
        // A trailing slash (`/v1/jobs/`) is its own path and does not match `/v1/jobs`.
        return i == segments.count ? parameters : nil
    }
}
