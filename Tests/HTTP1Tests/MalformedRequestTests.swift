import HTTP1
import Testing

/// One malformed head, named after the rule it breaks.
struct MalformedCase: CustomTestStringConvertible, Sendable {
    let name: String
    let raw: String
    let error: HTTPParseError
    var testDescription: String { name }

    init(_ name: String, _ raw: String, _ error: HTTPParseError) {
        self.name = name
        self.raw = raw
        self.error = error
    }

    static let all: [MalformedCase] = [
        .init("bare LF after request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", .invalidLineEnding),
        .init("bare LF as header terminator", "GET / HTTP/1.1\r\nHost: a\n\r\n", .invalidLineEnding),
        .init("bare CR inside header", "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", .invalidLineEnding),
        .init("LF first byte", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidLineEnding),
        .init("empty method", " / HTTP/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine),
        .init("missing target", "GET HTTP/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine),
        .init("missing version", "GET /\r\nHost: a\r\n\r\n", .malformedRequestLine),
        .init("double space after method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine),
        .init("trailing space after version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", .malformedVersion),
        .init("non-token byte in method", "G@T / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidMethod),
        .init("NUL in method", "G\u{0}T / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidMethod),
        .init("NUL in target", "GET /a\u{0}b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        .init("tab in target", "GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        .init("DEL in target", "GET /a\u{7F} HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        .init("lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", .malformedVersion),
        .init("two-digit minor version", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", .malformedVersion),
        .init("version without minor", "GET / HTTP/1\r\nHost: a\r\n\r\n", .malformedVersion),
        .init("HTTP/2.0 version", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", .unsupportedVersion(.init(major: 2, minor: 0))),
        .init("HTTP/0.9 version", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", .unsupportedVersion(.init(major: 0, minor: 9))),
        .init("HTTP/1.2 version", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", .unsupportedVersion(.init(major: 1, minor: 2))),
        .init("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", .whitespaceBeforeColon),
        .init("tab before colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", .whitespaceBeforeColon),
        .init("obs-fold continuation line", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", .obsoleteLineFolding),
        .init("obs-fold with tab", "GET / HTTP/1.1\r\nHost: a\r\n\tc\r\n\r\n", .obsoleteLineFolding),
        .init("header without colon", "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", .invalidHeaderName),
        .init("empty header name", "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", .invalidHeaderName),
        .init("non-token byte in header name", "GET / HTTP/1.1\r\nHost: a\r\nX(a): v\r\n\r\n", .invalidHeaderName),
        .init("NUL in header name", "GET / HTTP/1.1\r\nHost: a\r\nX\u{0}A: v\r\n\r\n", .invalidHeaderName),
        .init("NUL in header value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: v\u{0}w\r\n\r\n", .invalidHeaderValue(name: "X-A")),
        .init("control byte in header value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: v\u{1}w\r\n\r\n", .invalidHeaderValue(name: "X-A")),
        .init("DEL in header value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: v\u{7F}\r\n\r\n", .invalidHeaderValue(name: "X-A")),
        .init("missing Host on 1.1", "GET / HTTP/1.1\r\nX-A: b\r\n\r\n", .missingHost),
        .init("duplicate Host", "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", .duplicateHost),
        .init("Content-Length and Transfer-Encoding", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", .contentLengthWithTransferEncoding),
        .init("differing duplicate Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", .conflictingContentLength),
        .init("differing Content-Length list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\n", .conflictingContentLength),
        .init("non-numeric Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", .invalidContentLength),
        .init("negative Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", .invalidContentLength),
        .init("plus-signed Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", .invalidContentLength),
        .init("hex Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", .invalidContentLength),
        .init("Content-Length with inner space", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 0\r\n\r\n", .invalidContentLength),
        .init("empty Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", .invalidContentLength),
        .init("overflowing Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", .invalidContentLength),
        .init("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", .transferEncodingInHTTP10),
        .init("chunked not final", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", .chunkedNotFinal),
        .init("chunked twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", .chunkedNotFinal),
        .init("empty Transfer-Encoding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n", .chunkedNotFinal),
        .init("unknown coding only", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", .chunkedNotFinal),
        .init("gzip before chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .unsupportedTransferCoding("gzip")),
    ]
}

@Suite struct MalformedRequestTests {
    @Test(arguments: MalformedCase.all)
    func rejected(_ c: MalformedCase) {
        #expect(HTTPRequestParser().parse(Array(c.raw.utf8)) == .invalid(c.error))
    }

    @Test(arguments: MalformedCase.all)
    func rejectedWhenFedByteByByte(_ c: MalformedCase) {
        #expect(Feed.byteByByte(Array(c.raw.utf8)) == .invalid(c.error))
    }

    @Test func statusOfEachErrorFamily() {
        #expect(HTTPParseError.requestLineTooLong.status.code == 414)
        #expect(HTTPParseError.headersTooLarge.status.code == 431)
        #expect(HTTPParseError.tooManyHeaders.status.code == 431)
        #expect(HTTPParseError.unsupportedTransferCoding("gzip").status.code == 501)
        #expect(HTTPParseError.unsupportedVersion(.init(major: 2, minor: 0)).status.code == 505)
        #expect(HTTPParseError.obsoleteLineFolding.status.code == 400)
        #expect(HTTPParseError.conflictingContentLength.status.code == 400)
    }
}
