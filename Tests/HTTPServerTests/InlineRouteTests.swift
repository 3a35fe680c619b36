import HTTP1
@testable import HTTPServer
import Testing

/// Routes added with `inline: true` run on the connection's queue instead of the handler queue;
/// everything a client can see must be the same as for any other route.
@Suite struct InlineRouteTests {
    @Test func routerReportsWhichRoutesAreInline() {
        let router = TestServer.makeRouter()
        guard case .found(_, _, _, let inline) = router.match(.GET, segments: ["inline"]),
              case .found(_, _, _, let other) = router.match(.GET, segments: ["hello"]),
              case .found(_, _, _, let head) = router.match(.HEAD, segments: ["inline"]) else {
            Issue.record("expected both routes to match")
            return
        }
        #expect(inline && head && !other)
    }

    /// Inline and handler-queue answers interleaved on one connection keep request order; HEAD and
    /// a thrown error behave as on any route.
    @Test func pipelinedMixKeepsOrder() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /inline?n=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                   + "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                   + "HEAD /inline?n=2 HTTP/1.1\r\nHost: x\r\n\r\n"
                   + "GET /inline-teapot HTTP/1.1\r\nHost: x\r\n\r\n"
                   + "GET /inline?n=3 HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = try c.response()
        #expect(first.status == 200 && first.text == "inline 1")
        #expect(try c.response().text == #"{"message":"hello"}"#)
        let head = try c.response(head: true)
        #expect(head.status == 200)
        #expect(head.header("content-length") == "8")
        let teapot = try c.response()
        #expect(teapot.status == 418)
        #expect(teapot.errorCode == "teapot")
        #expect(try c.response().text == "inline 3")
    }

    /// Many pipelined inline requests in one write: answered in order by processInput's loop,
    /// without recursing once per request.
    @Test func longPipelineIsAnsweredInOrder() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        let count = 500
        try c.send((0..<count).map { "GET /inline?n=\($0) HTTP/1.1\r\nHost: x\r\n\r\n" }.joined())
        for k in 0..<count {
            let r = try c.response()
            #expect(r.text == "inline \(k)")
            if r.text != "inline \(k)" { break }
        }
    }

    @Test func connectionCloseIsHonoured() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /inline HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let r = try c.response()
        #expect(r.header("connection") == "close")
        #expect(c.waitForClose())
    }
}
