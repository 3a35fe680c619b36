import Foundation
import ThawClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Live control over HTTP and crash safety, against the real binary.
@Suite(.serialized, .enabled(if: fashionMNISTInstalled)) struct ControlAndCrashTests {
    func waitForEvent(_ client: HTTPClient, _ id: String, timeout: TimeInterval = 120,
                      where match: ([String: Any]) -> Bool) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let hit = try events(client, id).first(where: match) { return hit }
            usleep(100_000)
        }
        throw E2EError.timedOut("no matching event for job \(id) within \(timeout) s")
    }

    @Test func pauseUnfreezeLowerLRResumeAndStopOverHTTP() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let client = daemon.client
        let model = try client.registerSmallCNN()
        var spec = smallJob(model: model, perClass: 60, optimizer: "adamw")
        // One long head phase: the commands below must land while it runs.
        spec["phases"] = [["name": "head", "trainable": ["head"], "epochs": 400, "lr": 0.003, "schedule": "constant",
                           "augment": ["hflip": true, "shift": 2]]]
        spec["early_stopping"] = ["monitor": "val_loss", "patience": 1000, "restore_best": true]
        let (_, job) = try client.jsonObject("POST", "/v1/jobs", body: spec)
        let id = try #require(job["id"] as? String)
        _ = try waitForEvent(client, id) { $0["type"] as? String == "epoch" }

        #expect(try client.post("/v1/jobs/\(id)/pause", json: [:]).status == 202)
        _ = try client.waitForJob(id, statuses: ["paused"], timeout: 60)

        // Applied while paused, at the runner's next poll; each acknowledged with the state after it.
        let unfreeze = try client.post("/v1/jobs/\(id)/unfreeze", json: ["groups": ["block2"], "lr": 1e-4])
        #expect(unfreeze.status == 202)
        let unfreezeID = try #require((try unfreeze.json() as? [String: Any])?["id"] as? String)
        let ack = try waitForEvent(client, id) { ($0["data"] as? [String: Any])?["id"] as? String == unfreezeID }
        let state = try #require(ack["data"] as? [String: Any])
        #expect(state["ok"] as? Bool == true)
        #expect(Set(state["trainable"] as? [String] ?? []) == ["block2", "head"])

        let scale = try client.post("/v1/jobs/\(id)/lr", json: ["scale": 0.1])
        let scaleID = try #require((try scale.json() as? [String: Any])?["id"] as? String)
        let scaled = try waitForEvent(client, id) { ($0["data"] as? [String: Any])?["id"] as? String == scaleID }
        let peaks = (scaled["data"] as? [String: Any])?["peak_lrs"] as? [String: Double] ?? [:]
        #expect(abs((peaks["head"] ?? 0) - 0.0003) < 1e-9, "head peak LR after scale: \(peaks)")
        #expect(abs((peaks["block2"] ?? 0) - 1e-5) < 1e-12, "block2 peak LR after scale: \(peaks)")

        // An unknown group is refused before it reaches the job.
        let bad = try client.post("/v1/jobs/\(id)/unfreeze", json: ["groups": ["nope"]])
        #expect(bad.status == 422)

        #expect(try client.post("/v1/jobs/\(id)/resume", json: [:]).status == 202)
        _ = try client.waitForJob(id, statuses: ["running"], timeout: 60)
        let shown = try client.jsonObject("GET", "/v1/jobs/\(id)").1
        let groups = shown["groups"] as? [[String: Any]] ?? []
        #expect(groups.first { $0["name"] as? String == "block2" }?["trainable"] as? Bool == true)
        #expect(groups.first { $0["name"] as? String == "block1" }?["trainable"] as? Bool == false)

        #expect(try client.post("/v1/jobs/\(id)/stop", json: [:]).status == 202)
        let done = try client.waitForJob(id, statuses: ["stopped", "succeeded", "failed"], timeout: 120)
        #expect(done["status"] as? String == "stopped")
        #expect((done["metrics"] as? [String: Any])?["test_accuracy"] is Double)
        #expect(try client.get("/v1/jobs/\(id)/weights?checkpoint=best").status == 200)
    }

    @Test func cancelAQueuedJobAndLiveEventStreamEnds() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let client = daemon.client
        let model = try client.registerSmallCNN()
        let (_, first) = try client.jsonObject("POST", "/v1/jobs", body: smallJob(model: model, perClass: 30, epochs: [1, 1]))
        let (_, second) = try client.jsonObject("POST", "/v1/jobs", body: smallJob(model: model, perClass: 30, epochs: [1, 1]))
        let firstID = try #require(first["id"] as? String)
        let secondID = try #require(second["id"] as? String)
        // The worker is busy with the first job (or about to be); the second waits in the queue.
        let (cancelStatus, cancel) = try client.jsonObject("POST", "/v1/jobs/\(secondID)/cancel", body: [String: Any]())
        #expect(cancelStatus == 202)
        _ = try client.waitForJob(secondID, statuses: ["cancelled"], timeout: 30)
        // The cancel did what it asked: it reads applied, not "cancelled" like a command the end overtook.
        if (try client.jsonObject("GET", "/v1/jobs/\(firstID)").1["status"] as? String) != "queued" {
            #expect(cancel["status"] as? String == "applied", "\(cancel)")
        }

        // The live stream of the first job delivers its events in order and ends with `end`.
        var seen: [ServerSentEvent] = []
        try HTTPClient(host: "127.0.0.1", port: daemon.port, timeout: 120).streamEvents("/v1/jobs/\(firstID)/events") {
            seen.append($0)
            return $0.event != "end"
        }
        let ids = seen.compactMap { $0.id.flatMap(Int.init) }
        #expect(ids == Array(1...ids.count), "event ids arrive gap-free and in order")
        #expect(seen.last?.event == "end")
        #expect(seen.contains { $0.event == "epoch" })

        // Resuming with Last-Event-ID replays only what came after it.
        var replay: [ServerSentEvent] = []
        try daemon.client.streamEvents("/v1/jobs/\(firstID)/events", lastEventID: String(ids.count - 2)) {
            replay.append($0)
            return $0.event != "end"
        }
        #expect(replay.compactMap { $0.id.flatMap(Int.init) } == [ids.count - 1, ids.count])
        #expect(try client.post("/v1/jobs/\(secondID)/resume", json: [:]).status == 409)
    }

    @Test func killDashNineMidTrainingThenRestartResumesAndFinishes() throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("thawd-crash-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        var daemon: DaemonProcess? = try DaemonProcess(dataDir: dataDir)
        let model = try daemon!.client.registerSmallCNN()
        var spec = smallJob(model: model, perClass: 60, epochs: [1, 5], optimizer: "adamw")
        spec["early_stopping"] = ["monitor": "val_loss", "patience": 100, "restore_best": true]
        let (_, job) = try daemon!.client.jsonObject("POST", "/v1/jobs", body: spec)
        let id = try #require(job["id"] as? String)

        // Kill it hard once two epochs (and their checkpoints) are stored.
        _ = try waitForEvent(daemon!.client, id, timeout: 300) {
            isResumePoint($0) && (($0["data"] as? [String: Any])?["global_epoch"] as? Int ?? 0) >= 2
        }
        let before = try events(daemon!.client, id)
        let checkpointsBefore = (try daemon!.client.get("/v1/jobs/\(id)/checkpoints").json() as? [String: Any])?["data"] as? [Any]
        daemon!.stop(signal: SIGKILL)
        daemon = nil

        let restarted = try DaemonProcess(dataDir: dataDir)
        defer { restarted.stop() }
        let client = restarted.client
        // Everything stored before the crash is still there.
        let after = try events(client, id)
        #expect(after.count >= before.count)
        #expect(zip(before, after).allSatisfy { ($0["id"] as? Int) == ($1["id"] as? Int) && ($0["type"] as? String) == ($1["type"] as? String) })
        let checkpointsAfter = (try client.get("/v1/jobs/\(id)/checkpoints").json() as? [String: Any])?["data"] as? [Any]
        #expect((checkpointsAfter?.count ?? 0) >= (checkpointsBefore?.count ?? 0))

        let done = try client.waitForJob(id, statuses: ["succeeded", "failed", "stopped"], timeout: 300)
        #expect(done["status"] as? String == "succeeded", "\(done)\n\(restarted.logText)")
        #expect(done["attempts"] as? Int == 2)
        let all = try events(client, id)
        #expect(all.contains { $0["type"] as? String == "interrupted" })
        // Six epochs in all, none trained twice after the resume point: global epochs 1...6 each once
        // after the last resume, and the run ended at epoch 6.
        let epochs = all.filter { $0["type"] as? String == "epoch" }.compactMap { ($0["data"] as? [String: Any])?["global_epoch"] as? Int }
        #expect(epochs.last == 6)
        #expect(Set(epochs) == Set(1...6))
        #expect(try client.get("/v1/jobs/\(id)/weights?checkpoint=best").status == 200)
    }
}
