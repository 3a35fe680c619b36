/// A request-target split into a percent-decoded path and query (RFC 9112 §3.2).
///
/// Accepts origin-form (`/p?q`), absolute-form (`http://host/p?q`, the path is used and the
/// authority ignored) and asterisk-form (`*`, OPTIONS only). Everything else is `invalidTarget`.
public struct HTTPRequestTarget: Sendable, Equatable {
    public struct QueryItem: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The whole path, percent-decoded (`/v1/a%20b` → `/v1/a b`); `*` for asterisk-form.
    public var path: String
    /// Path segments split on raw `/` before decoding, so an encoded `%2F` stays inside its segment.
    /// `/` → [], `/a/b/` → ["a", "b", ""].
    public var segments: [String]
    /// The query exactly as sent (without `?`), or nil when there is none.
    public var rawQuery: String?
    /// Decoded `name=value` pairs in order; `+` means space, a bare `name` has value "".
    public var queryItems: [QueryItem]

    public static func parse(_ target: String, method: HTTPMethod) throws(HTTPParseError) -> HTTPRequestTarget {
        if target == "*" {
            guard method == .OPTIONS else { throw .invalidTarget }
            return HTTPRequestTarget(path: "*", segments: [], rawQuery: nil, queryItems: [])
        }
        var bytes = Array(target.utf8)
        if bytes.contains(UInt8(ascii: "#")) { throw .invalidTarget }
        if bytes.first != UInt8(ascii: "/") { bytes = try pathOfAbsoluteForm(bytes) }
        var pathBytes = bytes[...], query: ArraySlice<UInt8>?
        if let q = bytes.firstIndex(of: UInt8(ascii: "?")) {
            pathBytes = bytes[..<q]
            query = bytes[(q + 1)...]
        }
        let rawSegments = pathBytes.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        var segments: [String] = []
        if !(rawSegments.count == 1 && rawSegments[0].isEmpty) {
            for raw in rawSegments { segments.append(try decode(raw, plusIsSpace: false)) }
        }
        let path = try decode(pathBytes, plusIsSpace: false)
        var items: [QueryItem] = []
        if let query, !query.isEmpty {
            for pair in query.split(separator: UInt8(ascii: "&")) {
                if let eq = pair.firstIndex(of: UInt8(ascii: "=")) {
                    items.append(QueryItem(name: try decode(pair[..<eq], plusIsSpace: true),
                                           value: try decode(pair[(eq + 1)...], plusIsSpace: true)))
                } else {
                    items.append(QueryItem(name: try decode(pair, plusIsSpace: true), value: ""))
                }
            }
        }
        return HTTPRequestTarget(path: path, segments: segments,
                                 rawQuery: query.map { String(decoding: $0, as: UTF8.self) }, queryItems: items)
    }

    /// `scheme "://" authority [path]`: returns the path (default "/") with any query.
    private static func pathOfAbsoluteForm(_ bytes: [UInt8]) throws(HTTPParseError) -> [UInt8] {
        guard let colon = bytes.firstIndex(of: ASCII.colon), colon > 0 else { throw .invalidTarget }
        let scheme = bytes[..<colon]
        guard scheme.allSatisfy({ isAlpha($0) || ($0 >= 48 && $0 <= 57) || $0 == 43 || $0 == 45 || $0 == 46 }),
              isAlpha(scheme.first!) else { throw .invalidTarget }
        let rest = bytes[(colon + 1)...]
        guard rest.starts(with: [UInt8(ascii: "/"), UInt8(ascii: "/")]) else { throw .invalidTarget }
        let authority = rest.dropFirst(2)
        guard let end = authority.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) else {
            guard !authority.isEmpty else { throw .invalidTarget }
            return [UInt8(ascii: "/")]
        }
        guard end > authority.startIndex else { throw .invalidTarget }
        var path = Array(bytes[end...])
        if path.first == UInt8(ascii: "?") { path.insert(UInt8(ascii: "/"), at: 0) }
        return path
    }

    private static func isAlpha(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }

    /// Percent-decodes; a malformed escape, invalid UTF-8 or a decoded NUL is `invalidTarget`.
    static func decode(_ bytes: ArraySlice<UInt8>, plusIsSpace: Bool) throws(HTTPParseError) -> String {
        // Most parts have nothing to decode: then the bytes are the string's own (validated the
        // same way), without copying them first (a polled route's path is a few segments of this).
        if !bytes.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) {
            guard let string = String(validating: bytes, as: UTF8.self) else { throw .invalidTarget }
            return string
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "%") {
                guard i + 2 < bytes.endIndex, let hi = ASCII.hexValue(bytes[i + 1]), let lo = ASCII.hexValue(bytes[i + 2]) else {
                    throw .invalidTarget
                }
                let decoded = UInt8(hi << 4 | lo)
                if decoded == 0 { throw .invalidTarget }
                out.append(decoded)
                i += 3
            } else {
                out.append(plusIsSpace && b == UInt8(ascii: "+") ? ASCII.space : b)
                i += 1
            }
        }
        guard let string = String(validating: out, as: UTF8.self) else { throw .invalidTarget }
        return string
    }
}
