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
        out.append(contentsOf: "\(version) \(status.code) \(sanitizedReason(status.reason))\r\n".utf8)
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

    private static func sanitizedReason(_ reason: String) -> String {
        reason.utf8.allSatisfy(ASCII.isFieldValue) ? reason : ""
    }
}
