import Data
import Foundation
import HTTP1
import JobAPI
import Store
import Testing

@testable import Daemon
@testable import HTTPServer

/// The daemon's real router called in process with `HTTPRequest` values: no socket, no worker
/// threads (jobs stay queued until a test claims and runs one), a real store in a temporary data dir,
/// and a tiny synthetic image folder (`shapes`: two classes of 8x8 grey PNGs) instead of
/// Fashion-MNIST, which is pointed at a folder that does not exist.
final class InProcessAPI {
    let directory: String
    let daemon: Daemon
    let router: HTTPRouter

    /// What a route answered.
    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var bytes: [UInt8]
        var response: HTTPResponse

        var text: String { String(decoding: bytes, as: UTF8.self) }
        var json: JSONValue { (try? Wire.decode(JSONValue.self, from: Foundation.Data(bytes))) ?? .null }
        subscript(_ key: String) -> JSONValue? { json.field(key) }
        var errorCode: String? { json.field("error")?.field("code")?.string }
        var errorFields: [String] {
            guard case .array(let details)? = json.field("error")?.field("details") else { return [] }
            return details.compactMap { $0.field("field")?.string }
        }
    }

    /// Removed with the fixture unless a test passed it in (a restart on the same files).
    private let ownsDirectory: Bool

    init(directory: String? = nil, configure: (inout DaemonConfiguration) -> Void = { _ in }) throws {
        ownsDirectory = directory == nil
        self.directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("thaw-api-\(UUID().uuidString)").path
        var configuration = DaemonConfiguration()
        configuration.dataDir = self.directory
        configuration.fashionMNISTRoot = self.directory + "/no-fashion-mnist"
        configure(&configuration)
        daemon = try Daemon(configuration: configuration)
        router = daemon.makeRouter()
        if ownsDirectory { try Self.writeShapes(root: configuration.resolvedDatasetRoot + "/shapes", perClass: 4) }
    }

    deinit { if ownsDirectory { try? FileManager.default.removeItem(atPath: directory) } }

    var store: Store { daemon.store }

    /// Two classes, `dark` and `light`, of `perClass` 8x8 single-channel PNGs each.
    static func writeShapes(root: String, perClass: Int) throws {
        let fm = FileManager.default
        for (name, base) in [("dark", 20), ("light", 220)] {
            try fm.createDirectory(atPath: root + "/" + name, withIntermediateDirectories: true)
            for i in 0..<perClass {
                let pixels = (0..<64).map { UInt8(clamping: base + ($0 * 3 + i * 7) % 30) }
                let png = try ImageEncoder.png(pixels, width: 8, height: 8, channels: 1)
                fm.createFile(atPath: "\(root)/\(name)/\(i).png", contents: Foundation.Data(png))
            }
        }
    }

    /// Routes the request as the server would and runs its handler on this thread.
    func call(_ method: HTTPMethod, _ target: String, body: String? = nil, headers: [String: String] = [:]) throws -> Reply {
        try call(method, target, bytes: Array((body ?? "").utf8), headers: headers)
    }

    func call(_ method: HTTPMethod, _ target: String, bytes body: [UInt8], headers: [String: String] = [:]) throws -> Reply {
        var head = HTTPHeaders()
        for (name, value) in headers { head.set(name, value) }
        var request = try HTTPRequest(method: method, target: target, headers: head, body: body)
        guard case .found(let handler, let parameters, _, _) = router.match(method, segments: request.pathSegments) else {
            throw FixtureError(description: "no route for \(method.rawValue) \(target)")
        }
        request.pathParameters = parameters
        let response = try handler(request)
        var bytes: [UInt8] = []
        if case .bytes(let b) = response.body { bytes = b }
        if case .file(let file) = response.body { bytes = try Self.read(file) }
        return Reply(status: Int(response.status.code), headers: response.headers, bytes: bytes, response: response)
    }

    static func read(_ file: HTTPFileBody) throws -> [UInt8] {
        var out: [UInt8] = []
        while out.count < file.length {
            guard let n = file.read(at: out.count, count: file.length - out.count, into: &out), n > 0 else {
                throw FixtureError(description: "short read of a file body")
            }
        }
        return out
    }

    func post(_ target: String, _ body: String) throws -> Reply { try call(.POST, target, body: body) }
    func get(_ target: String) throws -> Reply { try call(.GET, target) }

    // MARK: Things most tests need

    func registerShapes(name: String = "shapes") throws -> String {
        let reply = try post("/v1/datasets", #"{"name": "\#(name)", "path": "shapes", "image_size": 28}"#)
        try #require(reply.status == 201, "\(reply.text)")
        return try #require(reply["id"]?.string)
    }

    func registerModel(classes: Int = 2) throws -> String {
        let reply = try post("/v1/models", #"{"name": "cnn", "architecture": "small-cnn", "num_classes": \#(classes)}"#)
        try #require(reply.status == 201, "\(reply.text)")
        return try #require(reply["id"]?.string)
    }

    /// A one-epoch head-only job on `shapes`; `extra` adds top-level fields (`"priority": 3, `).
    func jobSpec(model: String, dataset: String, extra: String = "", epochs: Int = 1) -> String {
        #"{\#(extra)"name": "shapes-head", "model": {"id": "\#(model)"}, "dataset": {"id": "\#(dataset)", "validation_fraction": 0.25, "seed": 1}, "phases": [{"name": "head", "trainable": ["head"], "epochs": \#(epochs), "lr": 0.003, "schedule": "constant"}], "optimizer": {"type": "sgd"}, "batch_size": 2, "seed": 3}"#
    }

    func submit(model: String, dataset: String, extra: String = "") throws -> String {
        let reply = try post("/v1/jobs", jobSpec(model: model, dataset: dataset, extra: extra))
        try #require(reply.status == 201, "\(reply.text)")
        return try #require(reply["id"]?.string)
    }

    /// Claims the next job and trains it on this thread, as a worker would.
    func runNextJob() throws {
        let job = try #require(try daemon.jobs.claimNext())
        JobExecution(daemon.executionDependencies, job: job).run()
    }
}

extension JSONValue {
    var string: String? { if case .string(let s) = self { return s }; return nil }
    var number: Double? { if case .number(let n) = self { return n }; return nil }
    var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
}
