import ArgumentParser
import Daemon
import Foundation
import Tensor
import JobAPI
import ThawClient

/// `thaw-bench api`: latency of `GET /v1/jobs/{id}` while the daemon's workers keep every core busy
/// training (target: p99 under 10 ms). Runs a real daemon in-process on a loopback port with its own
/// temporary store; the client opens a connection per request, as curl would.
struct APILatencyBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api", abstract: "p50/p99 of GET /v1/jobs/{id} with the CPU saturated by training.")

    @Option(help: "Requests timed.") var requests: Int = 2000
    @Option(help: "Training workers (each trains one job with --blas-threads).") var workers: Int = 1
    @Option(help: "OpenBLAS/engine threads per worker.") var blasThreads: Int = 2

    func run() throws {
        Allocator.keepLargeBlocks()  // as thawd runs (DaemonRunner)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-apibench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var configuration = DaemonConfiguration()
        configuration.port = 0
        configuration.dataDir = dir
        configuration.workers = workers
        configuration.blasThreads = blasThreads
        configuration.shutdownGraceSeconds = 2
        let daemon = try Daemon(configuration: configuration)
        let port = try daemon.start()
        defer { daemon.shutdown() }
        let client = HTTPClient(host: "127.0.0.1", port: Int(port), timeout: 30)

        let model = try client.post("/v1/models", body: ["name": "base", "architecture": "resnet-mini"] as JSONValue).requireSuccess()
        let modelID = try model.decode(Resource.self).id ?? ""
        var jobIDs: [String] = []
        for i in 0..<workers {
            let job = try client.post("/v1/jobs", body: [
                "name": .string("load-\(i)"), "model": ["id": .string(modelID)], "num_classes": 10,
                "dataset": ["id": "fashion-mnist", "validation_fraction": 0.05, "seed": 1],
                "phases": [["name": "all", "trainable": "all", "epochs": 5, "lr": 0.001, "schedule": "constant"]],
                "optimizer": ["type": "adamw"], "batch_size": 64, "seed": 1,
            ] as JSONValue).requireSuccess()
            jobIDs.append(try job.decode(Resource.self).id ?? "")
        }
        // Wait until every job is past its first batch (data loaded, model built): then the CPU is busy.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let statuses = try jobIDs.map { try client.get("/v1/jobs/\($0)").decode(Resource.self).status }
            if statuses.allSatisfy({ $0 == "running" }) { break }
            usleep(100_000)
        }
        sleep(3)
        let load0 = Self.loadAverage()
        var latencies: [Double] = []
        latencies.reserveCapacity(requests)
        for k in 0..<requests {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let response = try client.get("/v1/jobs/\(jobIDs[k % jobIDs.count])")
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            guard response.status == 200 else { throw ValidationError("GET answered \(response.status)") }
        }
        let busy = try jobIDs.map { try client.get("/v1/jobs/\($0)").decode(Resource.self).status }
        latencies.sort()
        func pct(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        print(BenchJSON.line([
            ("kind", .string("api_latency")), ("route", .string("GET /v1/jobs/{id}")), ("requests", .int(requests)),
            ("workers", .int(workers)), ("blas_threads", .int(blasThreads)),
            ("jobs_still_running", .int(busy.filter { $0 == "running" }.count)),
            ("p50_us", .double(pct(0.5) * 1000)), ("p90_us", .double(pct(0.9) * 1000)), ("p99_us", .double(pct(0.99) * 1000)),
            ("max_us", .double((latencies.last ?? 0) * 1000)), ("load_avg_1m_at_start", .double(load0)),
        ]))
        for id in jobIDs { _ = try? client.post("/v1/jobs/\(id)/cancel", body: ControlCommand.cancel.body) }
    }

    /// The two fields the benchmark reads from a model or job object.
    struct Resource: Decodable {
        var id: String?
        var status: String?
    }

    static func loadAverage() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return -1 }
        return Double(text.split(separator: " ").first ?? "") ?? -1
    }
}
