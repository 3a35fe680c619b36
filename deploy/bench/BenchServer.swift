// The HTTPServer under load: one route answering a small fixed JSON document, the same bytes
// nginx serves as a static file in http-bench.sh. Built by http-bench.sh against the release
// HTTPServer module. Usage: bench-server <port> <json-file>
import Foundation
import HTTP1
import HTTPServer

let arguments = CommandLine.arguments
guard arguments.count == 3, let port = UInt16(arguments[1]),
      let document = FileManager.default.contents(atPath: arguments[2]) else {
    FileHandle.standardError.write(Data("usage: bench-server <port> <json-file>\n".utf8))
    exit(2)
}
let body = [UInt8](document)
var router = HTTPRouter()
router.get("/hello.json") { _ in .bytes(body, contentType: "application/json") }
router.get("/healthz") { _ in .text("ok") }
var configuration = HTTPServerConfiguration()
configuration.hosts = ["127.0.0.1"]
configuration.port = port
configuration.maxConnections = 5000
let server = try HTTPServer(configuration: configuration, router: router)
try server.start()
server.shutdownOnSignals(deadline: 2) { _ in exit(0) }
dispatchMain()
