import HTTP1
import Testing

/// A valid head and what the parser must make of it.
struct ValidCase: CustomTestStringConvertible, Sendable {
    let name: String
    let raw: String
    let method: HTTPMethod
    let target: String
    let version: HTTPVersion
    let framing: HTTPBodyFraming
    let keepAlive: Bool
    var testDescription: String { name }

    static let all: [ValidCase] = [
        .init(name: "simple GET 1.1", raw: "GET /v1/jobs HTTP/1.1\r\nHost: localhost\r\n\r\n",
              method: .GET, target: "/v1/jobs", version: .http1_1, framing: .none, keepAlive: true),
        .init(name: "1.0 without keep-alive closes", raw: "GET / HTTP/1.0\r\n\r\n",
              method: .GET, target: "/", version: .http1_0, framing: .none, keepAlive: false),
        .init(name: "1.0 with keep-alive stays open", raw: "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
              method: .GET, target: "/", version: .http1_0, framing: .none, keepAlive: true),
        .init(name: "1.1 Connection close", raw: "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
              method: .GET, target: "/", version: .http1_1, framing: .none, keepAlive: false),
        .init(name: "Connection list with close", raw: "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade, CLOSE\r\n\r\n",
              method: .GET, target: "/", version: .http1_1, framing: .none, keepAlive: false),
        .init(name: "POST with Content-Length", raw: "POST /v1/jobs HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n",
              method: .POST, target: "/v1/jobs", version: .http1_1, framing: .contentLength(12), keepAlive: true),
        .init(name: "identical duplicate Content-Length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n",
              method: .POST, target: "/", version: .http1_1, framing: .contentLength(5), keepAlive: true),
        .init(name: "Content-Length list of equal values", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n",
              method: .POST, target: "/", version: .http1_1, framing: .contentLength(5), keepAlive: true),
        .init(name: "Content-Length with leading zeros", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 007\r\n\r\n",
              method: .POST, target: "/", version: .http1_1, framing: .contentLength(7), keepAlive: true),
        .init(name: "chunked mixed case", raw: "PUT /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n",
              method: .PUT, target: "/x", version: .http1_1, framing: .chunked, keepAlive: true),
        .init(name: "absolute-form target", raw: "GET http://example.com:8080/a?b=c HTTP/1.1\r\nHost: example.com\r\n\r\n",
              method: .GET, target: "http://example.com:8080/a?b=c", version: .http1_1, framing: .none, keepAlive: true),
        .init(name: "leading empty line ignored", raw: "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
              method: .GET, target: "/", version: .http1_1, framing: .none, keepAlive: true),
        .init(name: "header value with obs-text and tabs", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A: \t caf\u{E9} \t\r\n\r\n",
              method: .GET, target: "/", version: .http1_1, framing: .none, keepAlive: true),
        .init(name: "empty header value", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\n\r\n",
              method: .GET, target: "/", version: .http1_1, framing: .none, keepAlive: true),
        .init(name: "OPTIONS asterisk", raw: "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
              method: .OPTIONS, target: "*", version: .http1_1, framing: .none, keepAlive: true),
        // Any token is a method (RFC 9110 §9.1); the router, not the parser, answers 405 + Allow.
        .init(name: "extension method token", raw: "QUERY /v1/jobs HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n",
              method: "QUERY", target: "/v1/jobs", version: .http1_1, framing: .contentLength(2), keepAlive: true),
        .init(name: "lower-case method is its own token", raw: "get / HTTP/1.1\r\nHost: a\r\n\r\n",
              method: "get", target: "/", version: .http1_1, framing: .none, keepAlive: true),
    ]
}

@Suite struct ValidRequestTests {
    @Test(arguments: ValidCase.all)
    func parsedWhole(_ c: ValidCase) {
        check(HTTPRequestParser().parse(Array(c.raw.utf8)), c)
    }

    /// Every cut point must yield `incomplete` until the last byte arrives.
    @Test(arguments: ValidCase.all)
    func parsedAtEveryCut(_ c: ValidCase) {
        let raw = Array(c.raw.utf8)
        for k in 0..<raw.count {
            guard case .incomplete = HTTPRequestParser().parse(Array(raw[0..<k])) else {
                Issue.record("prefix of \(k) bytes was not incomplete")
                return
            }
        }
        check(Feed.byteByByte(raw), c)
    }

    @Test func bodyBytesAfterHeadAreNotConsumed() {
        let raw = Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET".utf8)
        guard case .complete(_, let consumed) = HTTPRequestParser().parse(raw) else {
            Issue.record("not complete")
            return
        }
        #expect(String(decoding: raw[consumed...], as: UTF8.self) == "helloGET")
    }

    @Test func headerNamesAreCaseInsensitiveAndValuesTrimmed() {
        let raw = Array("GET / HTTP/1.1\r\nhOsT: a\r\nX-Token:   abc  \r\nx-token: def\r\n\r\n".utf8)
        guard case .complete(let head, _) = HTTPRequestParser().parse(raw) else {
            Issue.record("not complete")
            return
        }
        #expect(head.headers["HOST"] == "a")
        #expect(head.headers["x-TOKEN"] == "abc")
        #expect(head.headers.values("X-Token") == ["abc", "def"])
    }

    @Test func expectContinueIsRecognisedCaseInsensitively() {
        let raw = Array("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n".utf8)
        guard case .complete(let head, _) = HTTPRequestParser().parse(raw) else {
            Issue.record("not complete")
            return
        }
        #expect(head.expectsContinue)
    }

    private func check(_ result: HTTPParseResult, _ c: ValidCase, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .complete(let head, let consumed) = result else {
            Issue.record("expected complete, got \(result)", sourceLocation: sourceLocation)
            return
        }
        #expect(consumed == c.raw.utf8.count, sourceLocation: sourceLocation)
        #expect(head.method == c.method, sourceLocation: sourceLocation)
        #expect(head.target == c.target, sourceLocation: sourceLocation)
        #expect(head.version == c.version, sourceLocation: sourceLocation)
        #expect(head.framing == c.framing, sourceLocation: sourceLocation)
        #expect(head.keepAlive == c.keepAlive, sourceLocation: sourceLocation)
    }
}
