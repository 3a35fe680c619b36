import Foundation
import HTTP1
import HTTPServer
import Testing

@Suite struct ServerBasicsTests {
    @Test func getJSONOverIPv4() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try c.response()
        #expect(r.status == 200)
        #expect(r.header("content-type") == "application/json")
        #expect(r.text == #"{"message":"hello"}"#)
        #expect(r.header("date") != nil)
    }

    @Test func getOverIPv6() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client("::1")
        try c.send("GET /healthz HTTP/1.1\r\nHost: [::1]\r\n\r\n")
        #expect(try c.response().text == "ok")
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        for i in 0..<5 {
            try c.send("GET /v1/jobs/\(i) HTTP/1.1\r\nHost: x\r\n\r\n")
            let r = try c.response()
            #expect(r.text == #"{"id":\#(i),"name":"job"}"#)
            #expect(r.header("connection") == nil)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        // The slow one first: the fast ones behind it must still come after it.
        try c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/jobs/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/jobs/3 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try c.response().text == "slow")
        #expect(try c.response().text.contains(#""id":1"#))
        #expect(try c.response().status == 404)
        #expect(try c.response().text.contains(#""id":3"#))
    }

    @Test func manyPipelinedErrorsDoNotRecurse() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send(String(repeating: "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", count: 2000))
        for _ in 0..<2000 { #expect(try c.response().status == 404) }
    }

    @Test func http10ClosesAfterResponse() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /healthz HTTP/1.0\r\n\r\n")
        let r = try c.response()
        #expect(r.text == "ok")
        #expect(r.header("connection") == "close")
        #expect(c.waitForClose())
    }

    @Test func http10KeepAliveIsHonoured() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try c.response().header("connection") == "keep-alive")
        try c.send("GET /healthz HTTP/1.0\r\n\r\n")
        #expect(try c.response().text == "ok")
        #expect(c.waitForClose())
    }

    @Test func connectionCloseIsHonoured() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(try c.response().header("connection") == "close")
        #expect(c.waitForClose())
    }

    @Test func headGetsGetHeadersWithoutBody() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try c.response(head: true)
        #expect(r.status == 200)
        #expect(r.header("content-length") == "19")
        // The next response starts right away: no body bytes were sent for HEAD.
        #expect(try c.response().text == "ok")
    }

    @Test func pathParametersAndPercentDecoding() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /echo-query?a=1&b=x+y&c=%C3%A9 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try c.response().text == "a=1;b=x y;c=é|/echo-query")
        try c.send("GET http://x/v1/jobs/%34%32 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try c.response().text == #"{"id":42,"name":"job"}"#)
    }

    @Test func jsonBodyRoundTrip() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        let body = #"{"id":1,"name":"resnet"}"#
        try c.send("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let r = try c.response()
        #expect(r.status == 201)
        #expect(r.text == #"{"id":2,"name":"resnet"}"#)
    }

    @Test func invalidJSONNamesTheField() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        let body = #"{"id":"one","name":"x"}"#
        try c.send("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let r = try c.response()
        #expect(r.status == 400)
        #expect(r.errorCode == "invalid_json")
        #expect(r.text.contains("id"))
    }

    @Test func wrongContentTypeIs415() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}")
        #expect(try c.response().status == 415)
    }

    @Test func notFoundIsJSON() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /missing HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try c.response()
        #expect(r.status == 404)
        #expect(r.errorCode == "not_found")
        #expect(r.header("content-type") == "application/json")
    }

    @Test func wrongMethodIs405WithAllow() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("PUT /v1/jobs/7 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        let r = try c.response()
        #expect(r.status == 405)
        #expect(r.header("allow") == "GET, DELETE, HEAD")
        #expect(r.errorCode == "method_not_allowed")
    }

    /// An extension method (`QUERY`, `BREW`, lower-case `get`) on a path that exists is a method the
    /// path does not serve: 405 with `Allow` (issue #15's schemathesis finding), not 501, and the
    /// connection carries on.
    @Test(arguments: ["QUERY", "BREW", "get", "OPTIONS", "TRACE"])
    func extensionMethodOnKnownPathIs405WithAllow(_ method: String) throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("\(method) /v1/jobs/7 HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try c.response()
        #expect(r.status == 405)
        #expect(r.header("allow") == "GET, DELETE, HEAD")
        #expect(r.errorCode == "method_not_allowed")
        try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try c.response().status == 200)
    }

    @Test func extensionMethodWithBodyIs405ThenCloses() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("QUERY /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        let r = try c.response()
        #expect(r.status == 405)
        #expect(r.header("allow") == "POST")
        #expect(c.waitForClose()) // the unread body ends the connection, as for any refused head
    }

    @Test func extensionMethodOnUnknownPathIs404() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("BREW /nothing HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try c.response()
        #expect(r.status == 404)
        #expect(r.errorCode == "not_found")
    }

    @Test func unsupportedVersionIs505() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /hello HTTP/2.0\r\nHost: x\r\n\r\n")
        #expect(try c.response().status == 505)
    }

    @Test func thrownConvertibleErrorRendersItself() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /teapot HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try c.response()
        #expect(r.status == 418)
        #expect(r.text == #"{"error":{"code":"teapot","message":"short and stout"}}"#)
    }

    @Test func otherErrorsAre500WithoutInternals() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /crash HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try c.response()
        #expect(r.status == 500)
        #expect(r.errorCode == "internal_error")
        #expect(!r.text.contains("secret"))
        // The connection survives a handler error.
        try c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try c.response().text == "ok")
    }

    @Test func headerInjectionFromHandlerBecomes500() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /bad-header HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try c.response()
        #expect(r.status == 500)
        #expect(r.header("injected") == nil)
    }

    @Test func chunkedResponseBody() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try c.response()
        #expect(r.header("transfer-encoding") == "chunked")
        #expect(r.text == "part 0;part 1;part 2;part 3;part 4;")
        try c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try c.response().text == "ok")
    }

    @Test func chunkedResponseToHTTP10IsCloseDelimited() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /chunked HTTP/1.0\r\n\r\n")
        let r = try c.response()
        #expect(r.header("transfer-encoding") == nil)
        #expect(r.text == "part 0;part 1;part 2;part 3;part 4;")
    }

    @Test func chunkedRequestBodyWithExtensionsAndTrailers() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\n\r\n")
        #expect(try c.response().text == "hello world")
    }

    @Test func expectContinueGets100First() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        let interim = try c.response()
        #expect(interim.status == 100)
        try c.send("data")
        #expect(try c.response().text == "data")
    }

    @Test func unknownExpectationIs417() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: magic\r\nContent-Length: 4\r\n\r\ndata")
        #expect(try c.response().status == 417)
    }
}
