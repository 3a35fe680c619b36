import Foundation
import Postgres
import ThawClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// thawd with `--store postgresql://…` (a fresh database of the test cluster, deploy/test.sh's
/// PostgreSQL pass): a job killed with SIGKILL mid-training resumes on the restart from its
/// checkpoint and succeeds (its `node` the restarted thawd's `--node-id`), with every event stored
/// before the kill kept. The restart has another `--node-id`, so the job comes back when its lease
/// expires (`--lease-timeout`), as it would on any other node (ClusterE2ETests runs three at once).
@Suite(.serialized, .enabled(if: fashionMNISTInstalled && ProcessInfo.processInfo.environment["THAW_TEST_POSTGRES_URI"] != nil,
                             "needs Fashion-MNIST and THAW_TEST_POSTGRES_URI (deploy/test.sh's PostgreSQL pass)"))
struct PostgresStoreE2ETests {
    /// A new database on the test cluster; its URI.
    static func freshDatabase() throws -> String {
        let base = ProcessInfo.processInfo.environment["THAW_TEST_POSTGRES_URI"]!
        let name = "e2e_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try PostgresConnection(uri: base).execute("CREATE DATABASE \(name)")
        let slash = try #require(base.range(of: "/", options: .backwards))
        return String(base[..<slash.upperBound]) + name
    }

    @Test func killDashNineThenRestartResumesFromTheCheckpointInPostgres() throws {
        let uri = try Self.freshDatabase()
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("thawd-pg-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let leases = ["--heartbeat", "0.5", "--lease-timeout", "3"]
        var daemon: DaemonProcess? = try DaemonProcess(dataDir: dataDir, arguments: ["--store", uri, "--node-id", "node-a"] + leases)
        #expect(daemon!.logText.contains("store in PostgreSQL"))
        #expect(!daemon!.logText.contains(uri), "the URI (it may hold a password) is not logged")

        let model = try daemon!.client.registerSmallCNN()
        let (status, job) = try daemon!.client.jsonObject("POST", "/v1/jobs", body: smallJob(model: model, perClass: 30, epochs: [1, 3]))
        #expect(status == 201)
        let id = try #require(job["id"] as? String)

        // Kill it hard once an epoch checkpoint is stored.
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline {
            let stored = try events(daemon!.client, id)
            if stored.contains(where: isResumePoint) { break }
            usleep(100_000)
        }
        let before = try events(daemon!.client, id)
        #expect(before.contains { $0["type"] as? String == "checkpoint" })
        let running = try daemon!.client.jsonObject("GET", "/v1/jobs/\(id)").1
        #expect(running["node"] as? String == "node-a")
        daemon!.stop(signal: SIGKILL)
        daemon = nil

        let restarted = try DaemonProcess(dataDir: dataDir, arguments: ["--store", uri, "--node-id", "node-b"] + leases)
        defer { restarted.stop() }
        let client = restarted.client
        let after = try events(client, id)
        #expect(after.count >= before.count)
        #expect(zip(before, after).allSatisfy { ($0["id"] as? Int) == ($1["id"] as? Int) && ($0["type"] as? String) == ($1["type"] as? String) })

        let done = try client.waitForJob(id, statuses: ["succeeded", "failed", "stopped"], timeout: 300)
        #expect(done["status"] as? String == "succeeded", "\(done)\n\(restarted.logText)")
        #expect(done["attempts"] as? Int == 2)
        #expect(done["node"] as? String == "node-b", "the resumed run's node")
        let all = try events(client, id)
        #expect(all.contains { $0["type"] as? String == "interrupted" })
        #expect(all.compactMap { $0["id"] as? Int } == Array(1...all.count), "event ids gap-free")
        let resumed = all.first { $0["type"] as? String == "status" && ($0["data"] as? [String: Any])?["resume"] as? Bool == true }
        #expect(resumed != nil, "the second claim resumed from the checkpoint")
        let epochs = all.filter { $0["type"] as? String == "epoch" }.compactMap { ($0["data"] as? [String: Any])?["global_epoch"] as? Int }
        #expect(epochs.last == 4)
        #expect(Set(epochs) == Set(1...4))
        #expect(try client.get("/v1/jobs/\(id)/weights?checkpoint=best").status == 200)
        #expect(try client.get("/v1/jobs/\(id)/metrics?format=csv").status == 200)
    }
}
