/// RFC 3986 §3.2.2-3.2.3 syntax of a Host field value (RFC 9110 §7.2: `uri-host [ ":" port ]`).
///
/// Only syntax: `localhost:8080`, `127.0.0.1`, `[::1]:80` and `example.com` pass; `bad host`,
/// `[::1`, `a/b`, `x@y:1` and `h:port` do not. An empty value is valid (RFC 9110 §7.2 allows it
/// when the target has no authority). Pure byte checks, linear in the value's length.
enum HostSyntax {
    static func isValid(_ value: String) -> Bool {
        let b = Array(value.utf8)
        var hostEnd = b.count
        if b.first == UInt8(ascii: "[") {
            guard let close = b.firstIndex(of: UInt8(ascii: "]")) else { return false }
            guard isIPLiteralBody(b[1..<close]) else { return false }
            hostEnd = close + 1
            guard hostEnd == b.count || b[hostEnd] == ASCII.colon else { return false }
        } else {
            if let colon = b.firstIndex(of: ASCII.colon) { hostEnd = colon }
            // reg-name also covers IPv4address (digits and dots are unreserved).
            var i = 0
            while i < hostEnd {
                if b[i] == UInt8(ascii: "%") {
                    guard i + 2 < hostEnd, ASCII.hexValue(b[i + 1]) != nil, ASCII.hexValue(b[i + 2]) != nil else { return false }
                    i += 3
                    continue
                }
                guard isUnreserved(b[i]) || isSubDelim(b[i]) else { return false }
                i += 1
            }
        }
        // port = *DIGIT
        if hostEnd < b.count {
            for byte in b[(hostEnd + 1)...] where !(byte >= 0x30 && byte <= 0x39) { return false }
        }
        return true
    }

    static func isUnreserved(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
            || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "~")
    }

    static func isSubDelim(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
             UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"),
             UInt8(ascii: "="): true
        default: false
        }
    }

    /// IPv6address / IPvFuture, the inside of `[...]`.
    static func isIPLiteralBody(_ b: ArraySlice<UInt8>) -> Bool {
        if let first = b.first, first == UInt8(ascii: "v") || first == UInt8(ascii: "V") {
            // IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
            var i = b.startIndex + 1
            while i < b.endIndex, ASCII.hexValue(b[i]) != nil { i += 1 }
            guard i > b.startIndex + 1, i < b.endIndex, b[i] == UInt8(ascii: ".") else { return false }
            i += 1
            guard i < b.endIndex else { return false }
            return b[i...].allSatisfy { isUnreserved($0) || isSubDelim($0) || $0 == ASCII.colon }
        }
        return isIPv6(b)
    }

    /// RFC 3986's IPv6address: eight 16-bit pieces, or fewer with one `::`, the last 32 bits
    /// optionally written as an IPv4address.
    static func isIPv6(_ b: ArraySlice<UInt8>) -> Bool {
        let text = Array(b)
        guard !text.isEmpty, text.count <= 45 else { return false }
        var pieces = 0
        var sawDoubleColon = false
        var i = 0
        if text.starts(with: [ASCII.colon, ASCII.colon]) {
            sawDoubleColon = true
            i = 2
            if i == text.count { return true }
        } else if text[0] == ASCII.colon {
            return false
        }
        while i < text.count {
            var j = i
            while j < text.count, ASCII.hexValue(text[j]) != nil { j += 1 }
            if j < text.count, text[j] == UInt8(ascii: ".") {
                // The trailing IPv4 part: counts as two pieces.
                guard isIPv4(text[i...]) else { return false }
                pieces += 2
                i = text.count
                break
            }
            guard j > i, j - i <= 4 else { return false }
            pieces += 1
            i = j
            if i == text.count { break }
            guard text[i] == ASCII.colon else { return false }
            if i + 1 < text.count, text[i + 1] == ASCII.colon {
                if sawDoubleColon { return false }
                sawDoubleColon = true
                i += 2
                if i == text.count { break }
            } else {
                i += 1
                if i == text.count { return false } // a trailing single colon
            }
        }
        return sawDoubleColon ? pieces <= 7 : pieces == 8
    }

    /// dec-octet "." dec-octet "." dec-octet "." dec-octet, no leading zeros.
    static func isIPv4(_ b: ArraySlice<UInt8>) -> Bool {
        let parts = b.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
            if part.count > 1, part.first == 0x30 { return false }
            var value = 0
            for digit in part { value = value * 10 + Int(digit - 0x30) }
            if value > 255 { return false }
        }
        return true
    }
}
