import Foundation
import Testing
import ThawClient

@testable import Daemon

/// The web UI as thawd serves it over a real socket, with `--auth-token-file` set: the page and its
/// files need no token (the page asks for it), the API still does, and no spelling of a path under
/// `/ui/` reaches anything but an embedded file.
@Suite struct WebUIRouteTests {
    final class Server {
        let directory: String
        let daemon: Daemon
        let port: Int

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-webui-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try "s3cret\n".write(toFile: directory + "/token", atomically: true, encoding: .utf8)
            var configuration = DaemonConfiguration()
            configuration.dataDir = directory + "/data"
            configuration.fashionMNISTRoot = directory + "/no-fashion-mnist"
            configuration.host = "127.0.0.1"
            configuration.port = 0
            configuration.authTokenFile = directory + "/token"
            daemon = try Daemon(configuration: configuration)
            port = Int(try daemon.start())
        }

        deinit {
            daemon.shutdown()
            try? FileManager.default.removeItem(atPath: directory)
        }

        func client(token: String? = nil) -> HTTPClient { HTTPClient(host: "127.0.0.1", port: port, token: token, timeout: 20) }
    }

    @Test func theUIIsServedWithoutTheTokenAndTheAPIIsNot() throws {
        let server = try Server()
        let page = try server.client().get("/")
        #expect(page.status == 200)
        #expect(page.header("content-type") == "text/html; charset=utf-8")
        #expect(page.text.contains("/ui/app/main.js"))
        #expect(page.header("etag")?.count == 66)
        for (path, type) in [("/ui/app/main.js", "text/javascript; charset=utf-8"), ("/ui/style.css", "text/css; charset=utf-8"),
                             ("/ui/vendor/chart.min.js", "text/javascript; charset=utf-8"), ("/ui/examples/index.json", "application/json")] {
            let file = try server.client().get(path)
            #expect(file.status == 200, "\(path)")
            #expect(file.header("content-type") == type, "\(path)")
        }
        #expect(try server.client().get("/v1/jobs").status == 401)
        #expect(try server.client(token: "s3cret").get("/v1/jobs").status == 200)
        #expect(try server.client().get("/metrics").status == 401)
    }

    @Test func headIsTheGetWithoutItsBody() throws {
        let server = try Server()
        let get = try server.client().get("/ui/style.css")
        let head = try server.client().send("HEAD", "/ui/style.css")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.header("content-length") == String(get.body.count))
        #expect(head.header("etag") == get.header("etag"))
        let notModified = try server.client().send("GET", "/ui/style.css", headers: [("If-None-Match", get.header("etag") ?? "")])
        #expect(notModified.status == 304)
    }

    @Test func unknownFilesAndTraversalsAre404sNotTheAPIOrTheDisk() throws {
        let server = try Server()
        for path in ["/ui/nope.js", "/ui/../v1/jobs", "/ui/%2e%2e/v1/jobs", "/ui/..%2F..%2FPackage.swift", "/ui/app/../../Package.swift",
                     "/ui/examples/../../../etc/passwd", "/ui"] {
            let response = try server.client().get(path)
            #expect(response.status == 404, "\(path): \(response.status)")
            #expect(try response.jsonValue().field("error")?.field("code")?.string == "not_found", "\(path)")
        }
        // One segment `ui%2F..%2Fv1` is not the `ui` subtree: the token is still required.
        #expect(try server.client().get("/ui%2F..%2Fv1%2Fjobs").status == 401)
        // Other methods on a UI path are the usual 405.
        let post = try server.client().send("POST", "/ui/style.css", body: Array("{}".utf8), headers: [("Content-Type", "application/json")])
        #expect(post.status == 405)
    }
}
