import Data
import Foundation
import OpenSSL
import ThawClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A queue of three small jobs (small-cnn on a tiny image folder) while thawd is killed with SIGKILL at 20 random moments (after a
/// random number of new training events plus a random delay) and restarted each time. Every job must end succeeded, no stored event may be lost or stored twice, and every
/// checkpoint left must match its SHA-256. The moments come from a seeded generator: the seed is
/// printed, and `THAW_CHAOS_SEED=<seed>` replays a run (docs/store.md, "Chaos test").
@Suite(.serialized) struct ChaosTests {
    static let kills = 20
    /// Per job: 1 head epoch, then the rest fine-tuning.
    static let epochs = 10

    /// SplitMix64: tiny, seedable, good enough to pick moments.
    struct Moments {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in [low, high) seconds.
        mutating func seconds(_ low: Double, _ high: Double) -> Double {
            low + (high - low) * Double(next() >> 11) / Double(1 << 53)
        }
    }

    /// Three classes of 28x28 grey images (24 train and 4 test each, told apart by brightness) under the
    /// daemon's dataset root: a start loads them in milliseconds, unlike all of Fashion-MNIST.
    /// `datasetRoot`: the daemon's `--dataset-root` (default `<data-dir>/datasets`).
    static func registerTinyDataset(_ daemon: DaemonProcess, datasetRoot: String? = nil) throws -> String {
        for (split, count) in [("train", 24), ("test", 4)] {
            for (c, base) in [40, 120, 200].enumerated() {
                let dir = (datasetRoot ?? daemon.dataDir + "/datasets") + "/chaos/\(split)/c\(c)"
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                for i in 0..<count {
                    let pixels = (0..<(28 * 28)).map { UInt8(clamping: base + ($0 * 7 + i * 13) % 40 - 20) }
                    try Data(try ImageEncoder.png(pixels, width: 28, height: 28, channels: 1))
                        .write(to: URL(fileURLWithPath: dir + "/\(i).png"))
                }
            }
        }
        let (status, object) = try daemon.client.jsonObject("POST", "/v1/datasets", body: ["name": "chaos", "path": "chaos"])
        guard status == 201, let id = object["id"] as? String else { throw E2EError.startFailed(log: "dataset: \(status) \(object)") }
        return id
    }

    @Test func threeJobsSurviveTwentySIGKILLs() throws {
        let seed = ProcessInfo.processInfo.environment["THAW_CHAOS_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 1...UInt64(UInt32.max))
        print("ChaosTests: seed \(seed) (replay with THAW_CHAOS_SEED=\(seed))")
        var moments = Moments(state: seed)
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("thawd-chaos-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        // An outside SIGKILL looks exactly like a crash; this run kills far more often than a poison job would.
        let flags = ["--max-attempts", "1000"]
        var daemon = try DaemonProcess(dataDir: dataDir, arguments: flags)
        let model = try daemon.client.registerSmallCNN()
        let dataset = try Self.registerTinyDataset(daemon)
        var ids: [String] = []
        for n in 0..<3 {
            let spec: [String: Any] = [
                "name": "chaos-\(n)", "model": ["id": model],
                "dataset": ["id": dataset, "validation_fraction": 0.25, "seed": 1],
                "phases": [
                    ["name": "head", "trainable": ["head"], "epochs": 1, "lr": 0.003, "schedule": "one_cycle"],
                    ["name": "finetune", "trainable": "all", "epochs": Self.epochs - 1, "lr": ["min": 1e-4, "max": 3e-3], "schedule": "one_cycle"],
                ],
                "optimizer": ["type": "sgd"], "batch_size": 8, "seed": 42 + n, "keep_last": 1,
                "early_stopping": ["monitor": "val_loss", "patience": 100, "restore_best": true],
            ]
            ids.append(try #require(try daemon.client.jsonObject("POST", "/v1/jobs", body: spec).1["id"] as? String))
        }

        // A moment: after 1-3 new stored facts of training (an epoch, a checkpoint, a phase change, the
        // test evaluation) since the restart, plus 0-0.3 s. So kills land in data loading, mid-epoch,
        // between a checkpoint and its event, in the test evaluation, across all three jobs.
        func progress(_ client: HTTPClient) throws -> (facts: Int, done: Bool) {
            var facts = 0, done = true
            for id in ids {
                facts += try events(client, id).filter { ["epoch", "checkpoint", "phase", "best", "test"].contains($0["type"] as? String ?? "") }.count
                done = try done && client.jsonObject("GET", "/v1/jobs/\(id)").1["status"] as? String == "succeeded"
            }
            return (facts, done)
        }
        var stored: [String: [(Int, String)]] = [:]
        for kill in 1...Self.kills {
            let target = try progress(daemon.client).facts + 1 + Int(moments.next() % 3)
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                let now = try progress(daemon.client)
                if now.facts >= target || now.done { break }
                usleep(20_000)
            }
            usleep(useconds_t(moments.seconds(0, 0.3) * 1_000_000))
            // What was stored before the kill must all be there after it, unchanged.
            for id in ids { stored[id] = try events(daemon.client, id).map { ($0["id"] as? Int ?? -1, $0["type"] as? String ?? "") } }
            #expect(stored[ids[0]]?.isEmpty == false, "the event list is readable")
            daemon.stop(signal: SIGKILL)
            daemon = try DaemonProcess(dataDir: dataDir, arguments: flags)
            for id in ids {
                let after = try events(daemon.client, id).map { ($0["id"] as? Int ?? -1, $0["type"] as? String ?? "") }
                let before = stored[id] ?? []
                #expect(after.count >= before.count && zip(before, after).allSatisfy { $0 == $1 },
                        "kill \(kill): job \(id) lost stored events")
            }
        }
        defer { daemon.stop() }
        let client = daemon.client
        for id in ids {
            let done = try client.waitForJob(id, statuses: ["succeeded", "failed", "stopped", "cancelled"], timeout: 600)
            #expect(done["status"] as? String == "succeeded", "\(id): \(done)")
            try checkEvents(client, id, epochs: Self.epochs)
            try checkCheckpoints(client, id, dataDir: dataDir)
        }
        let jobs = try ids.map { try client.jsonObject("GET", "/v1/jobs/\($0)").1 }
        let crashes = jobs.compactMap { $0["crashes"] as? Int }
        print("ChaosTests: seed \(seed): \(Self.kills) kills, \(crashes.reduce(0, +)) landed while a job ran "
            + "(per job \(crashes)), attempts \(jobs.compactMap { $0["attempts"] as? Int })")
    }

    /// Gap-free ids, and every fact of the run exactly once: each epoch, its checkpoints, each phase's
    /// start and end, the test evaluation and the final status.
    func checkEvents(_ client: HTTPClient, _ id: String, epochs: Int) throws {
        let all = try events(client, id)
        #expect(!all.isEmpty && all.compactMap { $0["id"] as? Int } == Array(1..<(all.count + 1)), "\(id): event ids are gap-free")
        func data(_ event: [String: Any]) -> [String: Any] { event["data"] as? [String: Any] ?? [:] }
        func of(_ type: String) -> [[String: Any]] { all.filter { $0["type"] as? String == type }.map(data) }
        #expect(of("epoch").compactMap { $0["global_epoch"] as? Int } == Array(1...epochs), "\(id): each epoch once, in order")
        let checkpoints = of("checkpoint").map { "\($0["kind"] as? String ?? "?")@\($0["global_epoch"] as? Int ?? -1)" }
        #expect(Set(checkpoints).count == checkpoints.count, "\(id): a checkpoint event twice: \(checkpoints)")
        #expect(Set(checkpoints.filter { $0.hasPrefix("epoch@") }) == Set((1...epochs).map { "epoch@\($0)" }))
        let phases = of("phase").filter { $0["event"] as? String != "resumed" }
            .map { "\($0["event"] as? String ?? "?")#\($0["phase_index"] as? Int ?? -1)" }
        #expect(phases == ["started#0", "ended#0", "started#1", "ended#1"], "\(id): \(phases)")
        #expect(of("test").count == 1 && of("best").count == Set(of("best").compactMap { $0["global_epoch"] as? Int }).count)
        let statuses = of("status").compactMap { $0["status"] as? String }
        #expect(statuses.filter { $0 == "queued" }.count == 1 && statuses.filter { $0 == "succeeded" }.count == 1, "\(id): \(statuses)")
        #expect(statuses.last == "succeeded")
        let metrics = (try client.get("/v1/jobs/\(id)/metrics").json() as? [String: Any])?["data"] as? [[String: Any]] ?? []
        #expect(metrics.compactMap { $0["global_epoch"] as? Int } == Array(1...epochs))
    }

    /// Every checkpoint the API lists is a file on disk with that SHA-256 and size, and no other file
    /// is left in the job's directory.
    func checkCheckpoints(_ client: HTTPClient, _ id: String, dataDir: String) throws {
        let list = (try client.get("/v1/jobs/\(id)/checkpoints").json() as? [String: Any])?["data"] as? [[String: Any]] ?? []
        #expect(Set(list.compactMap { $0["kind"] as? String }) == ["best", "epoch", "last"], "\(id): \(list)")
        let directory = dataDir + "/artifacts/checkpoints/\(id)"
        var onDisk: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let hashed = try SHA256.hexOfFile(atPath: directory + "/" + name)
            onDisk.append("\(hashed.digest):\(hashed.size)")
        }
        // best and the last epoch's weights can be the same bytes: compare as multisets.
        let listed = list.map { "\($0["sha256"] as? String ?? "?"):\($0["size"] as? Int ?? -1)" }
        #expect(onDisk.sorted() == listed.sorted(), "\(id): files on disk \(onDisk) vs checkpoints \(listed)")
    }
}
