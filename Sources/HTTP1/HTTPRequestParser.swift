/// The outcome of one parse attempt over the bytes received so far.
public enum HTTPParseResult: Sendable, Equatable {
    /// A full head; `consumed` bytes (leading empty lines included) belong to it, the body follows.
    case complete(HTTPRequestHead, consumed: Int)
    /// More bytes are needed; pass `scanned` back as `resumeFrom` so the next attempt starts there
    /// instead of rescanning (which keeps a byte-at-a-time client linear, not quadratic).
    case incomplete(scanned: Int)
    case invalid(HTTPParseError)
}

/// A pure request-head parser over the caller's buffer (picohttpparser style): no state between
/// calls beyond the `resumeFrom` hint, no socket, no allocation until the head is complete.
///
/// Strictness is deliberate: lines must end in CRLF, no obs-fold, no whitespace before a colon,
/// framing headers must agree. A lenient parser behind a differently-lenient proxy is how requests
/// get smuggled.
public struct HTTPRequestParser: Sendable {
    public var limits: HTTPParserLimits

    public init(limits: HTTPParserLimits = HTTPParserLimits()) { self.limits = limits }

    public func parse(_ bytes: [UInt8], resumeFrom: Int = 0) -> HTTPParseResult {
        bytes.withUnsafeBufferPointer { parse($0, resumeFrom: resumeFrom) }
    }

    public func parse(_ b: UnsafeBufferPointer<UInt8>, resumeFrom: Int = 0) -> HTTPParseResult {
        let n = b.count
        // RFC 9112 §2.2: ignore empty lines received before the request line.
        var start = 0
        while start + 1 < n, b[start] == ASCII.cr, b[start + 1] == ASCII.lf { start += 2 }
        var i = max(start, resumeFrom)
        var end = -1
        while i < n {
            let byte = b[i]
            if byte == ASCII.lf {
                if i == 0 || b[i - 1] != ASCII.cr || i == start { return .invalid(.invalidLineEnding) }
                if i - start >= 3, b[i - 2] == ASCII.lf {
                    end = i + 1
                    break
                }
            } else if byte == ASCII.cr, i + 1 < n, b[i + 1] != ASCII.lf {
                return .invalid(.invalidLineEnding)
            }
            i += 1
        }
        guard end >= 0 else {
            if firstLineEnd(b, from: start, limit: n) == nil, n - start > limits.maxRequestLineBytes + 1 {
                return .invalid(.requestLineTooLong)
            }
            if n > limits.maxHeaderBytes { return .invalid(.headersTooLarge) }
            if let error = requestLinePrefixError(b, from: start, limit: n) { return .invalid(error) }
            return .incomplete(scanned: max(start, n - 1))
        }
        switch parseHead(b, start: start, end: end) {
        case .success(let head): return .complete(head, consumed: end)
        case .failure(let error): return .invalid(error)
        }
    }

    /// How many bytes of an unfinished request line are checked, so that bytes which cannot start
    /// an HTTP/1.1 request (a TLS ClientHello, binary junk) get their 400 at once instead of
    /// holding the connection until the header timeout. Bounded, so a slow client stays linear.
    static let prefixCheckBytes = 64

    /// The error `parseHead` would report for the request line starting at `from`, judged on its
    /// first `prefixCheckBytes` bytes: a non-token method byte, a bad target byte, a version that
    /// does not start `HTTP/`. Nil when the prefix could still become a valid request line.
    private func requestLinePrefixError(_ b: UnsafeBufferPointer<UInt8>, from: Int, limit: Int) -> HTTPParseError? {
        let version: [UInt8] = Array("HTTP/".utf8)
        var field = 0 // 0 method, 1 target, 2 version
        var fieldStart = from
        var i = from
        let end = min(limit, from + Self.prefixCheckBytes)
        while i < end {
            let byte = b[i]
            if byte == ASCII.cr || byte == ASCII.lf { return nil } // the line ends; the full parse decides
            switch field {
            case 0, 1:
                if byte == ASCII.space {
                    if i == fieldStart { return .malformedRequestLine }
                    field += 1
                    fieldStart = i + 1
                } else if field == 0, !ASCII.isToken(byte) {
                    return .invalidMethod
                } else if field == 1, !ASCII.isTargetChar(byte) {
                    return .invalidTarget
                }
            default:
                let k = i - fieldStart
                if k < version.count, byte != version[k] { return .malformedVersion }
            }
            i += 1
        }
        return nil
    }

    private func firstLineEnd(_ b: UnsafeBufferPointer<UInt8>, from: Int, limit: Int) -> Int? {
        var i = from
        while i < limit {
            if b[i] == ASCII.lf { return i }
            i += 1
        }
        return nil
    }

    /// Parses `b[start..<end]`, which ends with CRLF CRLF and contains only CRLF line endings.
    private func parseHead(_ b: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Result<HTTPRequestHead, HTTPParseError> {
        let lineEnd = firstLineEnd(b, from: start, limit: end)! - 1 // index of CR
        if lineEnd - start > limits.maxRequestLineBytes { return .failure(.requestLineTooLong) }
        if end > limits.maxHeaderBytes { return .failure(.headersTooLarge) } // leading empty lines count too

        // Request line: method SP request-target SP HTTP-version.
        var i = start
        while i < lineEnd, b[i] != ASCII.space {
            if !ASCII.isToken(b[i]) { return .failure(.invalidMethod) }
            i += 1
        }
        guard i > start, i < lineEnd else { return .failure(.malformedRequestLine) }
        let methodRange = start..<i
        i += 1
        let targetStart = i
        while i < lineEnd, b[i] != ASCII.space {
            if !ASCII.isTargetChar(b[i]) { return .failure(.invalidTarget) }
            i += 1
        }
        guard i > targetStart, i < lineEnd else { return .failure(.malformedRequestLine) }
        let targetRange = targetStart..<i
        i += 1
        let version: HTTPVersion
        switch parseVersion(b, i, lineEnd) {
        case .success(let v): version = v
        case .failure(let e): return .failure(e)
        }
        if version != .http1_1, version != .http1_0 { return .failure(.unsupportedVersion(version)) }
        // Any token is a method here (RFC 9110 §9.1); which ones a path serves is the router's
        // business, so `QUERY` on a known path gets 405 with `Allow`, not a parse error.
        let method = HTTPMethod(string(b, methodRange))

        // Field lines.
        var headers = HTTPHeaders()
        var special = SpecialFields()
        var lineStart = lineEnd + 2
        let headEnd = end - 2 // CR of the final empty line
        while lineStart < headEnd {
            let cr = firstLineEnd(b, from: lineStart, limit: end)! - 1
            if headers.count == limits.maxHeaderCount { return .failure(.tooManyHeaders) }
            switch parseField(b, lineStart, cr) {
            case .failure(let e): return .failure(e)
            case .success(let (nameRange, valueRange)):
                let name = string(b, nameRange), value = string(b, valueRange)
                special.note(b, nameRange, value)
                headers.add(name, value)
            }
            lineStart = cr + 2
        }
        return special.head(method: method, target: string(b, targetRange), version: version, headers: headers)
    }

    private func parseVersion(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Result<HTTPVersion, HTTPParseError> {
        guard to - from == 8 else { return .failure(.malformedVersion) }
        let prefix: [UInt8] = Array("HTTP/".utf8)
        for k in 0..<5 where b[from + k] != prefix[k] { return .failure(.malformedVersion) }
        let major = b[from + 5], dot = b[from + 6], minor = b[from + 7]
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        guard digits.contains(major), dot == UInt8(ascii: "."), digits.contains(minor) else { return .failure(.malformedVersion) }
        return .success(HTTPVersion(major: Int(major - 48), minor: Int(minor - 48)))
    }

    /// Splits one field line `b[from..<cr]` into name and trimmed value ranges.
    func parseField(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ cr: Int) -> Result<(Range<Int>, Range<Int>), HTTPParseError> {
        if b[from] == ASCII.space || b[from] == ASCII.tab { return .failure(.obsoleteLineFolding) }
        var i = from
        while i < cr, ASCII.isToken(b[i]) { i += 1 }
        guard i < cr, b[i] == ASCII.colon else {
            var j = i
            while j < cr, b[j] == ASCII.space || b[j] == ASCII.tab { j += 1 }
            if j > i, j < cr, b[j] == ASCII.colon, i > from { return .failure(.whitespaceBeforeColon) }
            return .failure(.invalidHeaderName)
        }
        guard i > from else { return .failure(.invalidHeaderName) }
        let nameRange = from..<i
        i += 1
        while i < cr, b[i] == ASCII.space || b[i] == ASCII.tab { i += 1 }
        let valueStart = i
        var valueEnd = i
        while i < cr {
            let byte = b[i]
            if !ASCII.isFieldValue(byte) { return .failure(.invalidHeaderValue(name: string(b, nameRange))) }
            if byte != ASCII.space, byte != ASCII.tab { valueEnd = i + 1 }
            i += 1
        }
        return .success((nameRange, valueStart..<valueEnd))
    }

    private func string(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[range]), as: UTF8.self)
    }
}
