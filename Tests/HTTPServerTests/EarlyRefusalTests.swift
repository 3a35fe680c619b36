import Foundation
import HTTP1
@testable import HTTPServer
import Testing

/// What is decided from the head alone is answered before any body byte is read: the token, the
/// route, the Host, and bytes that are not HTTP at all.
@Suite struct EarlyRefusalTests {
    static func authServer() throws -> TestServer {
        try TestServer(configure: { $0.auth = HTTPBearerAuth(token: "letmein") })
    }

    @Test func missingTokenIs401BeforeTheBody() throws {
        let s = try Self.authServer()
        defer { s.stop() }
        let c = try s.client()
        // The body never comes: the 401 must not wait for it.
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n")
        let r = try c.response()
        #expect(r.status == 401)
        #expect(r.header("connection") == "close")
        #expect(c.waitForClose())
    }

    @Test func missingTokenIs401InsteadOf100Continue() throws {
        let s = try Self.authServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        let r = try c.response()
        #expect(r.status == 401) // not 100 first
        #expect(c.waitForClose())
    }

    @Test func validTokenGets100ContinueAndTheBody() throws {
        let s = try Self.authServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer letmein\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        #expect(try c.response().status == 100)
        try c.send("data")
        #expect(try c.response().text == "data")
    }

    @Test func unauthorizedWithoutBodyKeepsTheConnection() throws {
        let s = try Self.authServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try c.response().status == 401)
        #expect(try c.response().status == 200)
    }

    @Test func unknownRouteIs404BeforeTheBody() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("POST /nowhere HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n")
        #expect(try c.response().status == 404)
        #expect(c.waitForClose())
    }

    @Test(arguments: ["bad host", "[::1", "a/b", "x@y:1", "h:port"])
    func invalidHostIs400(_ host: String) throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /healthz HTTP/1.1\r\nHost: \(host)\r\n\r\n")
        let r = try c.response()
        #expect(r.status == 400)
        #expect(r.errorCode == "invalid_host")
        #expect(c.waitForClose())
    }

    @Test(arguments: ["localhost:8080", "127.0.0.1", "[::1]:80", "example.com"])
    func validHostPasses(_ host: String) throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /healthz HTTP/1.1\r\nHost: \(host)\r\n\r\n")
        #expect(try c.response().status == 200)
    }

    @Test func tlsClientHelloOnThePlainPortIs400AndClose() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        // A TLS record header and the start of a ClientHello; no CR or LF anywhere.
        var hello: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0xF4, 0x01, 0x00, 0x00, 0xF0, 0x03, 0x03]
        hello += (0..<32).map { UInt8($0 * 7 % 251) }
        try c.send(hello)
        let r = try c.response()
        #expect(r.status == 400)
        #expect(c.waitForClose())
    }

    @Test func binaryJunkIs400AndClose() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send([0x00, 0xFF, 0x13, 0x37, 0xC0, 0xDE])
        #expect(try c.response().status == 400)
        #expect(c.waitForClose())
    }
}
