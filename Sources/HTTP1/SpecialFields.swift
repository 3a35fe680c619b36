/// The framing and connection fields, collected while parsing so the head is validated in one
/// pass without re-searching the header list.
struct SpecialFields {
    var contentLength: [String] = []
    var transferEncoding: [String] = []
    var hostCount = 0
    var host = ""
    var connection: [String] = []
    var expect: [String] = []

    private static let names: [[UInt8]] = ["content-length", "transfer-encoding", "host", "connection", "expect"]
        .map { Array($0.utf8) }

    mutating func note(_ b: UnsafeBufferPointer<UInt8>, _ name: Range<Int>, _ value: String) {
        outer: for (index, entry) in SpecialFields.names.enumerated() where entry.count == name.count {
            for (k, byte) in entry.enumerated() where ASCII.lower(b[name.lowerBound + k]) != byte { continue outer }
            switch index {
            case 0: contentLength.append(value)
            case 1: transferEncoding.append(value)
            case 2:
                hostCount += 1
                host = value
            case 3: connection.append(value)
            default: expect.append(value)
            }
            return
        }
    }

    func head(method: HTTPMethod, target: String, version: HTTPVersion, headers: HTTPHeaders) -> Result<HTTPRequestHead, HTTPParseError> {
        if hostCount > 1 { return .failure(.duplicateHost) }
        if hostCount == 0, version == .http1_1 { return .failure(.missingHost) }
        if hostCount == 1, !HostSyntax.isValid(host) { return .failure(.invalidHost) }
        let framing: HTTPBodyFraming
        switch bodyFraming(version: version) {
        case .success(let f): framing = f
        case .failure(let e): return .failure(e)
        }
        let connectionTokens = Self.tokens(connection)
        let keepAlive = connectionTokens.contains("close") ? false
            : version == .http1_1 || connectionTokens.contains("keep-alive")
        let expectsContinue = Self.tokens(expect).contains("100-continue")
        return .success(HTTPRequestHead(method: method, target: target, version: version, headers: headers,
                                        framing: framing, keepAlive: keepAlive, expectsContinue: expectsContinue))
    }

    /// RFC 9112 §6.1-6.3: Transfer-Encoding wins only when it is exactly `chunked`; any disagreement
    /// between framing headers is an error, never a guess.
    func bodyFraming(version: HTTPVersion) -> Result<HTTPBodyFraming, HTTPParseError> {
        if !transferEncoding.isEmpty {
            if version == .http1_0 { return .failure(.transferEncodingInHTTP10) }
            if !contentLength.isEmpty { return .failure(.contentLengthWithTransferEncoding) }
            let codings = Self.tokens(transferEncoding)
            guard codings.last == "chunked", codings.filter({ $0 == "chunked" }).count == 1 else {
                return .failure(.chunkedNotFinal)
            }
            if let other = codings.first(where: { $0 != "chunked" }) { return .failure(.unsupportedTransferCoding(other)) }
            return .success(.chunked)
        }
        guard !contentLength.isEmpty else { return .success(.none) }
        var length: Int?
        for value in contentLength {
            for element in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard let parsed = Self.decimal(element.trimmingOWS()) else { return .failure(.invalidContentLength) }
                if let length, length != parsed { return .failure(.conflictingContentLength) }
                length = parsed
            }
        }
        return .success(.contentLength(length!))
    }

    /// 1*DIGIT without sign or spaces, rejecting anything that overflows Int.
    static func decimal(_ text: String) -> Int? {
        guard !text.isEmpty else { return nil }
        var value = 0
        for byte in text.utf8 {
            guard byte >= 48, byte <= 57 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(byte - 48))
            if o1 || o2 { return nil }
            value = sum
        }
        return value
    }

    static func tokens(_ values: [String]) -> [String] {
        var result: [String] = []
        for value in values {
            for part in value.split(separator: ",", omittingEmptySubsequences: false) {
                let trimmed = part.trimmingOWS()
                if !trimmed.isEmpty { result.append(trimmed.lowercasedASCII()) }
            }
        }
        return result
    }
}
