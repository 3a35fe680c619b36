import Data
import Foundation
import Synchronization
import ThawClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 14's lifecycle defects against the real binary: the data-dir lock, poison jobs, the DELETE
/// routes (and `thaw delete`), checkpoint retention, and commands to a job parked across a restart.
@Suite(.serialized, .enabled(if: fashionMNISTInstalled)) struct HardeningTests {
    /// A job that trains until told otherwise.
    func endlessJob(_ model: String, name: String = "endless") -> [String: Any] {
        var spec = smallJob(model: model, perClass: 20, name: name)
        spec["phases"] = [["name": "head", "trainable": ["head"], "epochs": 400, "lr": 0.003, "schedule": "constant"]]
        spec["early_stopping"] = ["monitor": "val_loss", "patience": 1000]
        return spec
    }

    func waitUntil(_ what: String, timeout: TimeInterval = 120, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            usleep(100_000)
        }
        throw E2EError.timedOut(what)
    }

    @Test func aSecondThawdOnTheSameDataDirExitsNamingThePidAndTouchesNothing() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let client = daemon.client
        let model = try client.registerSmallCNN()
        let id = try #require(try client.jsonObject("POST", "/v1/jobs", body: endlessJob(model)).1["id"] as? String)
        try waitUntil("a first epoch checkpoint") {
            try events(client, id).contains(where: isResumePoint)
        }
        // What the first thawd has in flight: a checkpoint temp file it is writing.
        let temp = daemon.dataDir + "/artifacts/checkpoints/\(id)/.tmp-00000000000000aa-epoch-e9-x.ckpt"
        #expect(FileManager.default.createFile(atPath: temp, contents: Data(repeating: 7, count: 100)))

        let second = Process()
        second.executableURL = URL(fileURLWithPath: DaemonProcess.binaryPath)
        second.arguments = ["--host", "127.0.0.1", "--port", "0", "--data-dir", daemon.dataDir]
        let output = Pipe()
        second.standardOutput = output
        second.standardError = output
        let collected = Mutex("")
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            collected.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        try second.run()
        // It must exit at once; one that starts serving instead is killed rather than waited for.
        let deadline = Date().addingTimeInterval(30)
        while second.isRunning && Date() < deadline { usleep(20_000) }
        if second.isRunning {
            Issue.record("the second thawd is still running")
            kill(second.processIdentifier, SIGKILL)
        }
        second.waitUntilExit()
        usleep(100_000)
        output.fileHandleForReading.readabilityHandler = nil
        let text = collected.withLock { $0 }

        #expect(second.terminationStatus != 0, "\(text)")
        #expect(text.contains("pid \(daemon.process.processIdentifier)"), "\(text)")
        #expect(!text.contains("listening on"))
        #expect(FileManager.default.fileExists(atPath: temp), "the second thawd swept the first one's temp file")
        #expect(!(try events(client, id)).contains { $0["type"] as? String == "interrupted" })
        let job = try client.jsonObject("GET", "/v1/jobs/\(id)").1
        #expect(job["status"] as? String == "running" && job["attempts"] as? Int == 1)
        #expect(try client.post("/v1/jobs/\(id)/cancel", json: [:]).status == 202)
        _ = try client.waitForJob(id, statuses: ["cancelled"], timeout: 120)
    }

    @Test func aJobThatDiesWithThawdMaxAttemptsTimesFailsAndTheQueueMovesOn() throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("thawd-poison-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let flags = ["--max-attempts", "2"]
        var daemon = try DaemonProcess(dataDir: dataDir, arguments: flags)
        let model = try daemon.client.registerSmallCNN()
        var poisonSpec = endlessJob(model, name: "poison")
        poisonSpec["priority"] = 5
        let poison = try #require(try daemon.client.jsonObject("POST", "/v1/jobs", body: poisonSpec).1["id"] as? String)
        let next = try #require(try daemon.client.jsonObject("POST", "/v1/jobs", body: smallJob(model: model, epochs: [1, 1])).1["id"] as? String)

        // A graceful restart is not a crash; then the process dies twice while the job runs.
        for (attempt, signal) in [(1, SIGTERM), (2, SIGKILL), (3, SIGKILL)] {
            try waitUntil("attempt \(attempt) running") {
                let job = try daemon.client.jsonObject("GET", "/v1/jobs/\(poison)").1
                return job["status"] as? String == "running" && job["attempts"] as? Int == attempt
            }
            #expect(try daemon.client.jsonObject("GET", "/v1/jobs/\(next)").1["status"] as? String == "queued")
            daemon.stop(signal: signal)
            daemon = try DaemonProcess(dataDir: dataDir, arguments: flags)
        }
        defer { daemon.stop() }
        let failed = try daemon.client.jsonObject("GET", "/v1/jobs/\(poison)").1
        #expect(failed["status"] as? String == "failed", "\(failed)")
        #expect((failed["error"] as? [String: Any])?["code"] as? String == "crashed_repeatedly")
        #expect(failed["crashes"] as? Int == 2 && failed["attempts"] as? Int == 3)
        let done = try daemon.client.waitForJob(next, statuses: ["succeeded", "failed"], timeout: 300)
        #expect(done["status"] as? String == "succeeded")
    }

    @Test func deleteRoutesRetentionAndTheCLI() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let client = daemon.client
        let model = try client.registerSmallCNN()
        var spec = smallJob(model: model, epochs: [1, 3])
        spec["keep_last"] = 1
        let id = try #require(try client.jsonObject("POST", "/v1/jobs", body: spec).1["id"] as? String)

        // While it is not finished, neither the job nor its model can go.
        let early = try client.send("DELETE", "/v1/jobs/\(id)")
        #expect(early.status == 409, "\(early.status)")
        #expect((try early.json() as? [String: Any]).flatMap { ($0["error"] as? [String: Any])?["code"] as? String } == "conflict")
        #expect(try client.send("DELETE", "/v1/models/\(model)").status == 409)

        let done = try client.waitForJob(id, statuses: ["succeeded", "failed", "stopped"], timeout: 300)
        #expect(done["status"] as? String == "succeeded", "\(done)")
        // Retention: best, the resume state and keep_last = 1 epoch checkpoint of the 4 epochs.
        let list = (try client.get("/v1/jobs/\(id)/checkpoints").json() as? [String: Any])?["data"] as? [[String: Any]] ?? []
        let epochs = list.filter { $0["kind"] as? String == "epoch" }.compactMap { $0["epoch"] as? Int }
        #expect(epochs == [4], "\(list)")
        #expect(Set(list.compactMap { $0["kind"] as? String }) == ["epoch", "best", "last"])
        let directory = daemon.dataDir + "/artifacts/checkpoints/\(id)"
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).count == list.count)
        #expect(try client.get("/v1/jobs/\(id)/weights?checkpoint=last").status == 200)

        let deleted = try client.send("DELETE", "/v1/jobs/\(id)")
        #expect(deleted.status == 200)
        let body = try deleted.json() as? [String: Any]
        #expect(body?["deleted"] as? Bool == true && body?["id"] as? String == id && body?["object"] as? String == "job")
        #expect(try client.get("/v1/jobs/\(id)").status == 404)
        #expect(try client.get("/v1/jobs/\(id)/events?format=json").status == 404)
        #expect(!FileManager.default.fileExists(atPath: directory))
        #expect(try client.send("DELETE", "/v1/jobs/\(id)").status == 404)

        // The model is free now that its only job is gone; the CLI deletes it.
        let cli = try ThawCLITests.thaw(["delete", "model", model], server: daemon.port)
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(cli.stdout.contains("\"deleted\""))
        #expect(try client.get("/v1/models/\(model)").status == 404)
        let missing = try ThawCLITests.thaw(["delete", "job", "job_0000000000000000"], server: daemon.port)
        #expect(missing.status != 0 && missing.stderr.contains("job_0000000000000000"), "\(missing)")

        // A registered dataset is forgotten (its files stay); the built-in cannot be deleted.
        for (name, value) in [("a", UInt8(20)), ("b", UInt8(220))] {
            let dir = daemon.dataDir + "/datasets/tiny/\(name)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let png = try ImageEncoder.png([UInt8](repeating: value, count: 64), width: 8, height: 8, channels: 1)
            try Data(png).write(to: URL(fileURLWithPath: dir + "/0.png"))
        }
        let dataset = try #require(try client.jsonObject("POST", "/v1/datasets", body: ["name": "tiny", "path": "tiny"]).1["id"] as? String)
        #expect(try client.send("DELETE", "/v1/datasets/\(dataset)").status == 200)
        #expect(try client.get("/v1/datasets/\(dataset)").status == 404)
        #expect(FileManager.default.fileExists(atPath: daemon.dataDir + "/datasets/tiny/a/0.png"))
        #expect(try client.send("DELETE", "/v1/datasets/fashion-mnist").status == 409)

        // keep_last is bounded like every other field.
        var bad = smallJob(model: "model_0000000000000000")
        bad["keep_last"] = 0
        let refused = try client.jsonObject("POST", "/v1/jobs", body: bad)
        let fields = (refused.1["error"] as? [String: Any])?["details"] as? [[String: Any]] ?? []
        #expect(refused.0 == 422 && fields.contains { $0["field"] as? String == "keep_last" }, "\(refused)")
    }

    @Test func commandsToAJobPausedAcrossARestartAreAppliedOrRejectedNeverPending() throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("thawd-parked-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        var daemon = try DaemonProcess(dataDir: dataDir)
        let model = try daemon.client.registerSmallCNN()
        let id = try #require(try daemon.client.jsonObject("POST", "/v1/jobs", body: endlessJob(model)).1["id"] as? String)
        try waitUntil("an epoch") { try events(daemon.client, id).contains { $0["type"] as? String == "epoch" } }
        #expect(try daemon.client.post("/v1/jobs/\(id)/pause", json: [:]).status == 202)
        _ = try daemon.client.waitForJob(id, statuses: ["paused"], timeout: 60)
        #expect(daemon.stop(signal: SIGTERM) == 0)
        daemon = try DaemonProcess(dataDir: dataDir)
        defer { daemon.stop() }
        let client = daemon.client
        #expect(try client.jsonObject("GET", "/v1/jobs/\(id)").1["status"] as? String == "paused")

        // No run holds its training state: a change to it is refused with the reason.
        for (action, body) in [("unfreeze", ["groups": ["block2"]] as [String: Any]), ("lr", ["scale": 0.5])] {
            let (status, answer) = try client.jsonObject("POST", "/v1/jobs/\(id)/\(action)", body: body)
            let error = answer["error"] as? [String: Any]
            #expect(status == 409 && (error?["message"] as? String)?.contains("resume it first") == true, "\(action): \(answer)")
        }
        // stop needs no run: it is applied at once.
        let (status, stop) = try client.jsonObject("POST", "/v1/jobs/\(id)/stop", body: [String: Any]())
        #expect(status == 202 && stop["status"] as? String == "applied", "\(stop)")
        #expect(try client.jsonObject("GET", "/v1/jobs/\(id)").1["status"] as? String == "stopped")
        #expect(try client.get("/v1/jobs/\(id)/weights?checkpoint=best").status == 200)
    }
}
