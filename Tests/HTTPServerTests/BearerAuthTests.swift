import Foundation
import HTTP1
@testable import HTTPServer
import Testing

@Suite struct BearerAuthTests {
    @Test func constantTimeEqualsIsCorrect() {
        #expect(HTTPBearerAuth.constantTimeEquals(Array("abc".utf8), Array("abc".utf8)))
        #expect(!HTTPBearerAuth.constantTimeEquals(Array("abc".utf8), Array("abd".utf8)))
        #expect(!HTTPBearerAuth.constantTimeEquals(Array("abc".utf8), Array("abcd".utf8)))
        #expect(!HTTPBearerAuth.constantTimeEquals(Array("".utf8), Array("a".utf8)))
        #expect(!HTTPBearerAuth.constantTimeEquals(Array(repeating: 0, count: 256), []))
        #expect(HTTPBearerAuth.constantTimeEquals([], []))
    }

    @Test func tokenFromFileIsTrimmed() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-token-\(UUID().uuidString)").path
        try "s3cret\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try HTTPBearerAuth.load(file: path, environment: nil)?.token == "s3cret")
    }

    @Test func tokenFromEnvironment() throws {
        #expect(try HTTPBearerAuth.load(file: nil, environment: "THAW_TOKEN", env: ["THAW_TOKEN": "t0k"])?.token == "t0k")
        #expect(try HTTPBearerAuth.load(file: nil, environment: nil) == nil)
    }

    @Test func missingSourcesAreErrorsNotAuthOff() {
        #expect(throws: HTTPServerError.self) { try HTTPBearerAuth.load(file: "/nonexistent/token", environment: nil) }
        #expect(throws: HTTPServerError.self) { try HTTPBearerAuth.load(file: nil, environment: "UNSET_VAR", env: [:]) }
    }

    @Test func endToEndOverSocket() throws {
        let s = try TestServer(configure: { $0.auth = HTTPBearerAuth(token: "letmein") })
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let denied = try c.response()
        #expect(denied.status == 401)
        #expect(denied.header("www-authenticate") == "Bearer")
        #expect(denied.errorCode == "unauthorized")
        try c.send("GET /hello HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\n\r\n")
        #expect(try c.response().status == 401)
        try c.send("GET /hello HTTP/1.1\r\nHost: x\r\nAuthorization: bearer letmein\r\n\r\n")
        #expect(try c.response().status == 200)
        try c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try c.response().text == "ok")
        // Unknown paths are 401 too, so routes are not discoverable without a token.
        try c.send("GET /secret-route HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try c.response().status == 401)
    }
}
