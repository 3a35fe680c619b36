import Foundation
import HTTP1
@testable import HTTPServer
import Testing

@Suite struct LimitTests {
    @Test func longRequestLineIs414() throws {
        let s = try TestServer(configure: { $0.parserLimits.maxRequestLineBytes = 1024 })
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /" + String(repeating: "a", count: 2000) + " HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try c.response()
        #expect(r.status == 414)
        #expect(r.errorCode == "request_line_too_long")
        #expect(c.waitForClose())
    }

    @Test func largeHeaderSectionIs431() throws {
        let s = try TestServer(configure: { $0.parserLimits.maxHeaderBytes = 4096 })
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "b", count: 5000) + "\r\n\r\n")
        #expect(try c.response().status == 431)
        #expect(c.waitForClose())
    }

    @Test func tooManyHeadersIs431() throws {
        let s = try TestServer(configure: { $0.parserLimits.maxHeaderCount = 10 })
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n" + (0..<20).map { "X-\($0): v\r\n" }.joined() + "\r\n")
        let r = try c.response()
        #expect(r.status == 431)
        #expect(r.errorCode == "too_many_headers")
    }

    @Test func declaredBodyOverLimitIs413WithoutReadingIt() throws {
        let s = try TestServer(configure: { $0.maxBodyBytes = 1000 })
        defer { s.stop() }
        let c = try s.client()
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n")
        let r = try c.response()
        #expect(r.status == 413)
        #expect(r.errorCode == "body_too_large")
        #expect(c.waitForClose())
    }

    @Test func chunkedBodyOverLimitIs413() throws {
        let s = try TestServer(configure: { $0.maxBodyBytes = 1000 })
        defer { s.stop() }
        let c = try s.client()
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in 0..<3 { try c.send("200\r\n" + String(repeating: "z", count: 512) + "\r\n") }
        #expect(try c.response().status == 413)
        #expect(c.waitForClose())
    }

    @Test func bodyAtLimitIsAccepted() throws {
        let s = try TestServer(configure: { $0.maxBodyBytes = 1000 })
        defer { s.stop() }
        let c = try s.client()
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + String(repeating: "q", count: 1000))
        #expect(try c.response().body.count == 1000)
    }

    @Test func connectionCapAnswers503() throws {
        let s = try TestServer(configure: { $0.maxConnections = 3 })
        defer { s.stop() }
        var held: [RawClient] = []
        for _ in 0..<3 {
            let c = try s.client()
            try c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try c.response()
            held.append(c)
        }
        let over = try s.client()
        let r = try over.response()
        #expect(r.status == 503)
        #expect(r.errorCode == "too_many_connections")
        // Closing one frees a slot.
        held.removeLast()
        Thread.sleep(forTimeInterval: 0.2)
        let again = try s.client()
        try again.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try again.response().status == 200)
    }

    @Test func openFileSoftLimitIsRaised() throws {
        var original = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &original)
        guard original.rlim_max >= 8192 else { return }
        var lowered = original
        lowered.rlim_cur = 4096
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lowered)
        defer { setrlimit(Int32(RLIMIT_NOFILE.rawValue), &original) }
        let s = try TestServer(configure: { $0.maxConnections = 4000 })
        defer { s.stop() }
        var now = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &now)
        #expect(now.rlim_cur >= 8064)
    }
}
