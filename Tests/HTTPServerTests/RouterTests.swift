import HTTP1
@testable import HTTPServer
import Testing

@Suite struct RouterTests {
    func router() -> HTTPRouter {
        var r = HTTPRouter()
        r.get("/v1/jobs") { _ in .text("list") }
        r.post("/v1/jobs") { _ in .text("create") }
        r.get("/v1/jobs/:id") { req in .text("job \(req.pathParameters["id"]!)") }
        r.get("/v1/jobs/:id/events") { req in .text("events \(req.pathParameters["id"]!)") }
        r.get("/files/*rest") { req in .text("rest \(req.pathParameters["rest"]!)") }
        return r
    }

    func run(_ method: HTTPMethod, _ path: String) throws -> String {
        let request = try HTTPRequest(method: method, target: path)
        guard case .found(let handler, let parameters, _, _) = router().match(method, segments: request.pathSegments) else {
            return "none"
        }
        var routed = request
        routed.pathParameters = parameters
        guard case .bytes(let body) = try handler(routed).body else { return "stream" }
        return String(decoding: body, as: UTF8.self)
    }

    @Test func literalAndParameterRoutes() throws {
        #expect(try run(.GET, "/v1/jobs") == "list")
        #expect(try run(.POST, "/v1/jobs") == "create")
        #expect(try run(.GET, "/v1/jobs/42") == "job 42")
        #expect(try run(.GET, "/v1/jobs/a%20b/events") == "events a b")
    }

    @Test func restCapturesRemainder() throws {
        #expect(try run(.GET, "/files/a/b/c.txt") == "rest a/b/c.txt")
        #expect(try run(.GET, "/files") == "rest ")
    }

    @Test func headFallsBackToGet() throws {
        #expect(try run(.HEAD, "/v1/jobs/1") == "job 1")
    }

    @Test func noPartialOrTrailingSlashMatches() throws {
        #expect(try run(.GET, "/v1") == "none")
        #expect(try run(.GET, "/v1/jobs/1/events/x") == "none")
        #expect(try run(.GET, "/v1/jobs/") == "none")
    }

    @Test func methodNotAllowedListsAllowed() throws {
        guard case .methodNotAllowed(let allowed) = router().match(.DELETE, segments: ["v1", "jobs"]) else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == [.GET, .POST, .HEAD])
    }

    @Test func extensionMethodIsNotAllowedOnAKnownPath() throws {
        guard case .methodNotAllowed(let allowed) = router().match("QUERY", segments: ["v1", "jobs", "7"]) else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == [.GET, .HEAD])
        guard case .notFound = router().match("QUERY", segments: ["v1", "nothing"]) else {
            Issue.record("expected 404")
            return
        }
    }
}
