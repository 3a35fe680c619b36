import HTTP1
import Testing

/// Bytes that cannot start an HTTP/1.1 request are refused as soon as they arrive, not after the
/// header timeout: each case is an unfinished head the parser must already call invalid.
struct NotHTTPCase: CustomTestStringConvertible, Sendable {
    let name: String
    let bytes: [UInt8]
    let error: HTTPParseError
    var testDescription: String { name }

    static let all: [NotHTTPCase] = [
        // The first bytes of a TLS 1.2/1.3 ClientHello record: handshake(0x16), version 3.1, length.
        .init(name: "TLS ClientHello", bytes: [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03],
              error: .invalidMethod),
        .init(name: "SSLv2-style hello", bytes: [0x80, 0x2E, 0x01, 0x03, 0x01], error: .invalidMethod),
        .init(name: "NUL bytes", bytes: [0, 0, 0, 0], error: .invalidMethod),
        .init(name: "junk after method", bytes: Array("GET \u{1}".utf8), error: .invalidTarget),
        .init(name: "not a version", bytes: Array("GET / XTTP".utf8), error: .malformedVersion),
        .init(name: "leading space", bytes: Array(" GET".utf8), error: .malformedRequestLine),
        .init(name: "double space", bytes: Array("GET  /".utf8), error: .malformedRequestLine),
    ]
}

@Suite struct NotHTTPTests {
    @Test(arguments: NotHTTPCase.all)
    func refusedBeforeTheLineEnds(_ c: NotHTTPCase) {
        #expect(HTTPRequestParser().parse(c.bytes) == .invalid(c.error))
    }

    @Test(arguments: NotHTTPCase.all)
    func refusedWhenFedByteByByte(_ c: NotHTTPCase) {
        #expect(Feed.byteByByte(c.bytes) == .invalid(c.error))
    }

    @Test func validPrefixesStayIncomplete() {
        for prefix in ["G", "GET", "GET ", "GET /v1/jobs", "GET /v1/jobs ", "GET / HTTP/1", "GET / HTTP/1.1\r",
                       "GET / HTTP/1.1\r\nHost: a\r\n", "POST /x HTTP/1.0\r\nX-A: \u{1}"] {
            guard case .incomplete = HTTPRequestParser().parse(Array(prefix.utf8)) else {
                Issue.record("'\(prefix.debugDescription)' refused")
                continue
            }
        }
    }
}
