import Foundation
import HTTP1

/// Bearer-token authentication (RFC 6750 §2.1): `Authorization: Bearer <token>` on every request
/// except `openPaths`. The comparison takes the same time wherever the first difference is.
public struct HTTPBearerAuth: Sendable {
    public var token: String
    /// Decoded paths served without a token. Default `["/healthz"]`.
    public var openPaths: Set<String>
    /// First path segments whose whole subtree is served without a token (the web UI's `ui`: static
    /// files only). Compared with the segment exactly, so `/ui%2F..%2Fv1` (one segment) is not open.
    public var openSegments: Set<String>

    public init(token: String, openPaths: Set<String> = ["/healthz"], openSegments: Set<String> = []) {
        self.token = token
        self.openPaths = openPaths
        self.openSegments = openSegments
    }

    /// The token from `file` (whitespace trimmed) or else from environment variable `environment`;
    /// nil when neither is given. An unreadable or empty source is an error, never "auth off".
    public static func load(file: String?, environment: String?, openPaths: Set<String> = ["/healthz"],
                            openSegments: Set<String> = [], env: [String: String] = ProcessInfo.processInfo.environment) throws(HTTPServerError) -> HTTPBearerAuth? {
        var token: String?
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw .auth("cannot read token file \(file)")
            }
            token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if token!.isEmpty { throw .auth("token file \(file) is empty") }
        } else if let environment {
            guard let value = env[environment]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
                throw .auth("environment variable \(environment) is unset or empty")
            }
            token = value
        }
        return token.map { HTTPBearerAuth(token: $0, openPaths: openPaths, openSegments: openSegments) }
    }

    /// Nil when `request` may proceed, otherwise the 401 to send.
    func check(path: String, segments: [String] = [], headers: HTTPHeaders) -> HTTPError? {
        if openPaths.contains(path) { return nil }
        if let first = segments.first, openSegments.contains(first) { return nil }
        guard let header = headers["authorization"] else {
            return HTTPError(.unauthorized, code: "unauthorized", message: "missing bearer token",
                             headers: ["WWW-Authenticate": "Bearer"])
        }
        let scheme = header.prefix(7).lowercased()
        guard scheme == "bearer ", Self.constantTimeEquals(Array(header.utf8.dropFirst(7)), Array(token.utf8)) else {
            return HTTPError(.unauthorized, code: "unauthorized", message: "invalid bearer token",
                             headers: ["WWW-Authenticate": #"Bearer error="invalid_token""#])
        }
        return nil
    }

    /// Compares every byte of the longer input whatever the contents, so timing reveals only lengths.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count) | (a.count == b.count ? 0 : 1)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
