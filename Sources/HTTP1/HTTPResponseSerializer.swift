/// Writes response heads and chunk framing as bytes (RFC 9112 §4, §7.1).
///
/// Field names and values are checked here because a handler may copy client input into a
/// header; a CR or LF there would split the response.
public enum HTTPResponseSerializer {
    /// Appends `HTTP/1.1 <code> <reason>`, every field and the empty line to `out`.
    /// Returns false (and appends nothing) if any field name or value is invalid.
    @discardableResult
    public static func writeHead(status: HTTPStatus, headers: HTTPHeaders, version: HTTPVersion = .http1_1,
                                 into out: inout [UInt8]) -> Bool {
        for field in headers.fields where !isValidFieldName(field.name) || !isValidFieldValue(field.value) { return false }
        // `\(version) \(code) \(reason)\r\n`, written as bytes: string interpolation was a tenth of
        // a small response's instructions.
        out.append(contentsOf: "HTTP/".utf8)
        appendDecimal(version.major, into: &out)
        out.append(UInt8(ascii: "."))
        appendDecimal(version.minor, into: &out)
        out.append(ASCII.space)
        appendDecimal(status.code, into: &out)
        out.append(ASCII.space)
        if status.reason.utf8.allSatisfy(ASCII.isFieldValue) { out.append(contentsOf: status.reason.utf8) }
        out.append(ASCII.cr)
        out.append(ASCII.lf)
        for field in headers.fields {
            out.append(contentsOf: field.name.utf8)
            out.append(ASCII.colon)
            out.append(ASCII.space)
            out.append(contentsOf: field.value.utf8)
            out.append(ASCII.cr)
            out.append(ASCII.lf)
        }
        out.append(ASCII.cr)
        out.append(ASCII.lf)
        return true
    }

    public static func head(status: HTTPStatus, headers: HTTPHeaders, version: HTTPVersion = .http1_1) -> [UInt8]? {
        var out: [UInt8] = []
        return writeHead(status: status, headers: headers, version: version, into: &out) ? out : nil
    }

    /// Appends one chunk (`<hex size>\r\n<data>\r\n`); empty data is skipped because a zero-size
    /// chunk would end the body.
    public static func writeChunk(_ data: some Collection<UInt8>, into out: inout [UInt8]) {
        guard !data.isEmpty else { return }
        out.append(contentsOf: String(data.count, radix: 16).utf8)
        out.append(ASCII.cr)
        out.append(ASCII.lf)
        out.append(contentsOf: data)
        out.append(ASCII.cr)
        out.append(ASCII.lf)
    }

    /// The last chunk with no trailers.
    public static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)

    public static func isValidFieldName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(ASCII.isToken)
    }

    public static func isValidFieldValue(_ value: String) -> Bool {
        value.utf8.allSatisfy(ASCII.isFieldValue)
    }

    /// `n` in decimal, as `"\(n)"` writes it.
    static func appendDecimal(_ n: Int, into out: inout [UInt8]) {
        guard n >= 0 else { return out.append(contentsOf: String(n).utf8) }
        let start = out.count
        var rest = n
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        out[start...].reverse()
    }
}
