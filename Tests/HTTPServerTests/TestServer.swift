import Foundation
import HTTP1
@testable import HTTPServer

/// Starts a server on a free loopback port with the routes every integration test uses.
struct TestServer {
    let server: HTTPServer
    let port: UInt16

    struct Job: Codable, Equatable {
        var id: Int
        var name: String
    }

    struct Teapot: HTTPErrorConvertible {
        var status: HTTPStatus { HTTPStatus(code: 418, reason: "I'm a teapot") }
        var code: String { "teapot" }
        var message: String { "short and stout" }
    }

    struct Secret: Error { let path = "/var/lib/thaw/secret.db" }

    static func makeRouter(extra: (inout HTTPRouter) -> Void = { _ in }) -> HTTPRouter {
        var router = HTTPRouter()
        router.get("/healthz") { _ in .text("ok") }
        router.get("/hello") { _ in try .json(["message": "hello"]) }
        router.add(.GET, "/inline", inline: true) { request in .text("inline \(request.query("n") ?? "")") }
        router.add(.GET, "/inline-teapot", inline: true) { _ in throw Teapot() }
        router.get("/v1/jobs/:id") { request in try .json(Job(id: Int(request.parameter("id")) ?? -1, name: "job")) }
        router.post("/v1/jobs") { request in
            var job = try request.decodeJSON(Job.self)
            job.id += 1
            return try .json(job, status: .created)
        }
        router.delete("/v1/jobs/:id") { _ in .empty() }
        router.get("/v1/jobs/:id/events") { request in
            let id = try request.parameter("id")
            return .eventStream { writer in
                writer.send(id: "1", event: "started", data: "job \(id)")
                writer.send(id: "2", event: "progress", data: "line one\nline two")
            }
        }
        router.post("/echo") { request in .bytes(request.body, contentType: "application/octet-stream") }
        router.get("/echo-query") { request in
            .text(request.queryItems.map { "\($0.name)=\($0.value)" }.joined(separator: ";") + "|" + request.path)
        }
        router.get("/teapot") { _ in throw Teapot() }
        router.get("/crash") { _ in throw Secret() }
        router.get("/gate") { _ in
            // Holds its connection until the test opens the gate: "others are not blocked" without a clock.
            _ = Gate.shared.semaphore.wait(timeout: .now() + 20)
            return .text("gated")
        }
        router.get("/slow") { _ in
            Thread.sleep(forTimeInterval: 1.0)
            return .text("slow")
        }
        router.get("/chunked") { _ in
            .chunked(contentType: "text/plain") { writer in
                for i in 0..<5 { writer.write("part \(i);") }
                writer.finish()
            }
        }
        router.get("/big") { _ in .bytes([UInt8](repeating: 0x61, count: 4 << 20)) }
        router.get("/bad-header") { _ in HTTPResponse(status: .ok, headers: ["X-A": "a\r\nInjected: yes"]) }
        extra(&router)
        return router
    }

    init(configure: (inout HTTPServerConfiguration) -> Void = { _ in }, routes: (inout HTTPRouter) -> Void = { _ in }) throws {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configure(&configuration)
        server = try HTTPServer(configuration: configuration, router: TestServer.makeRouter(extra: routes))
        port = try server.start()
    }

    /// The read timeout only bounds how long a broken server can hang a test; it is generous because
    /// CI runs these beside CPU-bound suites on two cores.
    func client(_ host: String = "127.0.0.1", timeout: Double = 20) throws -> RawClient {
        try RawClient(host: host, port: port, timeout: timeout)
    }

    func stop() { server.shutdown(deadline: 2) }
}

/// Polls `condition` until it holds or `timeout` seconds pass (server-side cleanup is asynchronous).
func eventually(_ timeout: Double = 20, _ condition: () -> Bool) -> Bool {
    let end = Date().addingTimeInterval(timeout)
    while Date() < end {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return condition()
}

/// The `/gate` route's latch (one waiter at a time; only `slowHandlerDoesNotBlockOtherConnections` uses it).
final class Gate: Sendable {
    static let shared = Gate()
    let semaphore = DispatchSemaphore(value: 0)
}
