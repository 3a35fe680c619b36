import Foundation
import Testing

/// An experiment through a real thawd and the real `thaw`: 2 strategies x 2 seeds on a few
/// Fashion-MNIST images run to completion across a SIGKILL and restart, and the summary's numbers
/// are recomputed from the children's own job objects; `thaw watch` and `thaw experiment show`
/// print them as a person reads them.
@Suite(.enabled(if: fashionMNISTInstalled)) struct ExperimentE2ETests {
    static func number(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue }

    @Test func aTinyExperimentRunsToCompletionAcrossARestart() throws {
        // The test owns the data dir: a DaemonProcess that created it would remove it when released.
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("thawd-exp-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        var daemon = try DaemonProcess(dataDir: dataDir)
        let base = try daemon.client.registerSmallCNN()
        let body: [String: Any] = [
            "name": "tiny",
            "base": ["model": ["id": base], "num_classes": 2,
                     "dataset": ["id": "fashion-mnist", "classes": [1, 9], "per_class": 12, "validation_fraction": 0.25, "seed": 1],
                     "optimizer": ["type": "adamw", "weight_decay": 0.01], "batch_size": 8],
            "strategies": ["head_only", "full"], "seeds": [42, 43], "epochs": 3,
        ]
        let (status, created) = try daemon.client.jsonObject("POST", "/v1/experiments", body: body)
        try #require(status == 201, "\(created)")
        let id = try #require(created["id"] as? String)
        let children = try #require(created["jobs"] as? [[String: Any]]).compactMap { $0["job_id"] as? String }
        try #require(children.count == 4)

        // One child done, then the daemon dies and comes back on the same files.
        _ = try daemon.client.waitForJob(children[0], statuses: ["succeeded"])
        daemon.stop(signal: SIGKILL)
        daemon = try DaemonProcess(dataDir: dataDir)
        defer { daemon.stop() }
        for child in children { _ = try daemon.client.waitForJob(child, statuses: ["succeeded", "failed", "cancelled", "stopped"]) }

        let (_, experiment) = try daemon.client.jsonObject("GET", "/v1/experiments/\(id)")
        #expect(experiment["status"] as? String == "succeeded", "\(experiment)")
        var means: [String: Double] = [:]
        for strategy in try #require(experiment["strategies"] as? [[String: Any]]) {
            let name = try #require(strategy["name"] as? String)
            let runs = try #require(experiment["jobs"] as? [[String: Any]]).filter { $0["strategy"] as? String == name }
            let jobs = try runs.map { try daemon.client.jsonObject("GET", "/v1/jobs/\($0["job_id"] as? String ?? "")").1 }
            for job in jobs { #expect(job["experiment"] as? String == id) }
            let accuracies = try jobs.map { try #require(Self.number(($0["result"] as? [String: Any])?["test_accuracy"])) }
            let epochs = try jobs.map { try #require(Self.number(($0["result"] as? [String: Any])?["epochs"])) }
            let walls = try jobs.map { try #require(Self.number(($0["timings"] as? [String: Any])?["running_seconds"])) }
            let accuracy = try #require(strategy["test_accuracy"] as? [String: Any])
            #expect(abs((Self.number(accuracy["mean"]) ?? -1) - accuracies.reduce(0, +) / 2) < 1e-12)
            #expect(Self.number(accuracy["min"]) == accuracies.min() && Self.number(accuracy["max"]) == accuracies.max())
            #expect(Self.number((strategy["epochs"] as? [String: Any])?["mean"]) == epochs.reduce(0, +) / 2)
            #expect(abs((Self.number((strategy["wall_seconds"] as? [String: Any])?["mean"]) ?? -1) - walls.reduce(0, +) / 2) < 1e-9)
            #expect((Self.number((strategy["images_per_second"] as? [String: Any])?["mean"]) ?? 0) > 0)
            means[name] = accuracies.reduce(0, +) / 2
        }
        let winner = try #require(experiment["winner"] as? [String: Any])
        let (head, full) = (try #require(means["head_only"]), try #require(means["full"]))
        let expected = full > head ? ("full", full - head) : ("head_only", head - full)
        #expect(winner["strategy"] as? String == expected.0)
        #expect(abs((Self.number(winner["margin"]) ?? -1) - expected.1) < 1e-12)

        // The CLI: a table with the winner, and watch's epoch lines and raw JSON lines.
        let shown = try ThawCLITests.thaw(["experiment", "show", id], server: daemon.port)
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("winner: \(expected.0) by +"), "\(shown.stdout)")
        let watched = try ThawCLITests.thaw(["watch", children[1]], server: daemon.port)
        #expect(watched.status == 0, "\(watched.stderr)")
        let lines = watched.stdout.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("all ") && $0.contains("train_loss") }.count == 3, "\(watched.stdout)")
        #expect(lines.contains("phase all started: 3 epochs, trainable block1, block2, head; peak lr block1 0.001, block2 0.001, head 0.001"), "\(watched.stdout)")
        #expect(lines.last == "status: succeeded", "\(watched.stdout)")
        let raw = try ThawCLITests.thaw(["watch", "--events", children[1]], server: daemon.port)
        let rawLines = raw.stdout.split(separator: "\n")
        #expect(rawLines.count > 5)
        for line in rawLines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["type"] is String && object?["data"] != nil, "\(line)")
        }
        let missing = try ThawCLITests.thaw(["experiment", "show", "exp_0000000000000000"], server: daemon.port)
        #expect(missing.status != 0 && missing.stderr.contains("experiment_not_found"), "\(missing.stderr)")
    }
}
