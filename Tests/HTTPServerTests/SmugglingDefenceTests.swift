import Foundation
import HTTPServer
import Testing

/// Each case: a request that must get 400 (or the named status) and a closed connection, and the
/// request smuggled behind it must never be answered.
struct SmuggleCase: CustomTestStringConvertible, Sendable {
    let name: String
    let raw: String
    let status: Int
    var testDescription: String { name }

    static let smuggled = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"

    static let all: [SmuggleCase] = [
        .init(name: "Content-Length and Transfer-Encoding",
              raw: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
        .init(name: "duplicate differing Content-Length",
              raw: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\nhello", status: 400),
        .init(name: "non-numeric Content-Length", raw: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5a\r\n\r\n", status: 400),
        .init(name: "negative Content-Length", raw: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", status: 400),
        .init(name: "overflowing Content-Length",
              raw: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551617\r\n\r\n", status: 400),
        .init(name: "invalid chunk size", raw: "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", status: 400),
        .init(name: "chunk size overflow",
              raw: "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", status: 400),
        .init(name: "obs-fold", raw: "GET /hello HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", status: 400),
        .init(name: "whitespace before colon",
              raw: "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n", status: 400),
        .init(name: "NUL in header value", raw: "GET /hello HTTP/1.1\r\nHost: x\r\nX-A: a\u{0}b\r\n\r\n", status: 400),
        .init(name: "bare CR in header value", raw: "GET /hello HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", status: 400),
        .init(name: "bare LF line ending", raw: "GET /hello HTTP/1.1\nHost: x\n\n", status: 400),
        .init(name: "missing Host on 1.1", raw: "GET /hello HTTP/1.1\r\n\r\n", status: 400),
        .init(name: "Transfer-Encoding gzip only",
              raw: "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", status: 400),
        .init(name: "Transfer-Encoding gzip, chunked",
              raw: "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", status: 501),
        .init(name: "Transfer-Encoding on HTTP/1.0",
              raw: "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
        .init(name: "invalid percent escape in target", raw: "GET /he%zzllo HTTP/1.1\r\nHost: x\r\n\r\n", status: 400),
        .init(name: "fragment in target", raw: "GET /hello#x HTTP/1.1\r\nHost: x\r\n\r\n", status: 400),
    ]
}

@Suite struct SmugglingDefenceTests {
    @Test(arguments: SmuggleCase.all)
    func rejectedAndClosed(_ c: SmuggleCase) throws {
        let s = try TestServer()
        defer { s.stop() }
        let client = try s.client()
        try client.send(c.raw + SmuggleCase.smuggled)
        let r = try client.response()
        #expect(r.status == c.status)
        #expect(r.header("connection") == "close")
        #expect(r.header("content-type") == "application/json")
        #expect(r.errorCode != nil)
        #expect(client.waitForClose())
        #expect(!String(decoding: client.buffer, as: UTF8.self).contains("hello\""))
    }
}
