import Foundation
import Postgres
import ThawClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Three thawd nodes on one PostgreSQL database and one shared `--artifacts` directory (deploy/
/// test.sh's PostgreSQL pass): nine small jobs submitted to different nodes, one node SIGKILLed
/// mid-job. Every job succeeds; the killed node's job is taken back when its lease expires and resumed on
/// another node from its checkpoint (node changed, attempts 2); each job's events show one lease at
/// a time (no two nodes ever wrote it at once); no event is lost or stored twice; a stream opened on
/// a node that does not run the job gets every event, live (within a fraction of a second: NOTIFY
/// wakes it), up to `end`; a command posted on one node is applied by the run on another. And a node frozen past its
/// lease (SIGSTOP, then SIGCONT) has its late writes refused.
@Suite(.serialized, .enabled(if: fashionMNISTInstalled && ProcessInfo.processInfo.environment["THAW_TEST_POSTGRES_URI"] != nil,
                             "needs Fashion-MNIST and THAW_TEST_POSTGRES_URI (deploy/test.sh's PostgreSQL pass)"))
struct ClusterE2ETests {
    static func node(_ name: String, uri: String, artifacts: String, datasetRoot: String? = nil) throws -> DaemonProcess {
        try DaemonProcess(arguments: ["--store", uri, "--node-id", name, "--artifacts", artifacts, "--workers", "1",
                                      "--blas-threads", "1", "--heartbeat", "0.5", "--lease-timeout", "4"]
                                      + (datasetRoot.map { ["--dataset-root", $0] } ?? []))
    }

    /// Two nodes with one artifacts directory and one dataset root: the image folder the first node
    /// decoded is cached in `<artifacts>/dataset-cache` (in no node's data dir), and the other node's
    /// job reads that cache as it was written (verified by its SHA-256, not decoded and written again).
    @Test func anImageCacheOneNodeWroteServesAnother() throws {
        let uri = try PostgresStoreE2ETests.freshDatabase()
        let shared = FileManager.default.temporaryDirectory.appendingPathComponent("thawd-cluster-cache-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: shared) }
        let artifacts = shared + "/artifacts", datasets = shared + "/datasets"
        let first = try Self.node("c1", uri: uri, artifacts: artifacts, datasetRoot: datasets)
        defer { first.stop() }
        let dataset = try ChaosTests.registerTinyDataset(first, datasetRoot: datasets)
        let model = try first.client.registerSmallCNN()
        func train(_ node: DaemonProcess) throws {
            let spec: [String: Any] = [
                "name": "cache", "model": ["id": model], "dataset": ["id": dataset, "validation_fraction": 0.25, "seed": 1],
                "phases": [["name": "all", "trainable": "all", "epochs": 1, "lr": 0.003]],
                "optimizer": ["type": "sgd"], "batch_size": 8, "seed": 42,
            ]
            let id = try #require(try node.client.jsonObject("POST", "/v1/jobs", body: spec).1["id"] as? String)
            let done = try node.client.waitForJob(id, statuses: ["succeeded", "failed", "stopped", "cancelled"], timeout: 300)
            #expect(done["status"] as? String == "succeeded", "\(done)\n\(node.logText)")
        }
        try train(first)
        let cache = artifacts + "/dataset-cache"
        func cached() throws -> [String: [FileAttributeKey: Any]] {
            let names = try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".thawcache") }
            return try Dictionary(uniqueKeysWithValues: names.map { ($0, try FileManager.default.attributesOfItem(atPath: cache + "/" + $0)) })
        }
        let written = try cached()
        #expect(written.count == 2, "a cache per split: \(written.keys.sorted())")
        #expect(!FileManager.default.fileExists(atPath: first.dataDir + "/cache"), "nothing cached in the node's own data dir")
        first.stop()

        let second = try Self.node("c2", uri: uri, artifacts: artifacts, datasetRoot: datasets)
        defer { second.stop() }
        try train(second)
        let after = try cached()
        #expect(after.keys.sorted() == written.keys.sorted())
        for (name, attributes) in written {
            #expect(after[name]?[.systemFileNumber] as? UInt64 == attributes[.systemFileNumber] as? UInt64
                    && after[name]?[.modificationDate] as? Date == attributes[.modificationDate] as? Date,
                    "\(name) was read as c1 wrote it, not written again")
        }
        #expect(!second.logText.contains("not used"), "c2 accepted c1's cache: \(second.logText)")
    }

    /// The events up to and including `id`, and the events after it.
    private func splitAt(_ events: [[String: Any]], id: Int) -> ([[String: Any]], [[String: Any]]) {
        let cut = events.firstIndex { ($0["id"] as? Int ?? 0) > id } ?? events.endIndex
        return (Array(events[..<cut]), Array(events[cut...]))
    }

    @Test func threeNodesShareTheQueueAndAKilledNodesJobResumesElsewhere() throws {
        let uri = try PostgresStoreE2ETests.freshDatabase()
        let artifacts = FileManager.default.temporaryDirectory.appendingPathComponent("thawd-cluster-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: artifacts) }
        let nodes = try (1...3).map { try Self.node("n\($0)", uri: uri, artifacts: artifacts) }
        defer { for node in nodes { node.stop() } }
        let model = try nodes[0].client.registerSmallCNN()

        // Nine jobs, each submitted to a different node in turn; every node serves every job. The
        // first three (priority 1, so the three workers claim them first, one each) are long enough
        // for a kill mid-job and a command mid-run; the other six are tiny (2 classes, 20 images, 2
        // epochs; the test evaluation, every test image of the job's classes, is most of a job's time).
        var ids: [String] = []
        for index in 0..<9 {
            var body = index < 3 ? smallJob(model: model, perClass: 20, epochs: [1, Self.longEpochs - 1], name: "cluster-\(index)")
                : smallJob(model: model, classes: [8, 9], perClass: 10, epochs: [1, 1], name: "cluster-\(index)")
            body["priority"] = index < 3 ? 1 : 0
            let (status, job) = try nodes[index % 3].client.jsonObject("POST", "/v1/jobs", body: body)
            #expect(status == 201)
            ids.append(try #require(job["id"] as? String))
        }
        let long = Array(ids.prefix(3))

        // A stream on n3 for the job n1 runs: fed from the store, whoever writes it, woken by NOTIFY.
        let victim = try waitForRunning(on: "n1", among: long, client: nodes[2].client)
        let streamOpened = Date()
        let stream = EventFanOutE2ETests.Recording(port: nodes[2].port, path: "/v1/jobs/\(victim)/events")

        // A command posted on n1 to the job n2 runs is applied there at a batch boundary.
        let remote = try waitForRunning(on: "n2", among: long, client: nodes[0].client)
        let postedAt = Date()
        let posted = try nodes[0].client.post("/v1/jobs/\(remote)/lr", json: ["scale": 0.5])
        #expect(posted.status == 202)
        let commandID = try #require((try posted.json() as? [String: Any])?["id"] as? String)
        let remoteStreamOpened = Date()
        let remoteStream = EventFanOutE2ETests.Recording(port: nodes[2].port, path: "/v1/jobs/\(remote)/events")

        // Kill n1 hard once the victim has stored an epoch checkpoint.
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline {
            let stored = try events(nodes[1].client, victim)
            if stored.contains(where: isResumePoint) { break }
            usleep(100_000)
        }
        let before = try events(nodes[1].client, victim)
        #expect(before.contains(where: isResumePoint))
        nodes[0].stop(signal: SIGKILL)
        let survivors = [nodes[1], nodes[2]]

        for id in ids {
            let done = try survivors[0].client.waitForJob(id, statuses: ["succeeded", "failed", "stopped", "cancelled"], timeout: 600)
            #expect(done["status"] as? String == "succeeded", "\(id): \(done)\n\(survivors[0].logText)\n\(survivors[1].logText)")
        }
        let acks = try events(survivors[0].client, remote).filter { ($0["data"] as? [String: Any])?["id"] as? String == commandID }
        #expect(acks.count == 1 && acks.first?["type"] as? String == "control"
                && (acks.first?["data"] as? [String: Any])?["ok"] as? Bool == true, "n1's command applied on n2: \(acks)")
        let resumed = try survivors[1].client.jsonObject("GET", "/v1/jobs/\(victim)").1
        #expect(resumed["attempts"] as? Int == 2)
        #expect(["n2", "n3"].contains(resumed["node"] as? String ?? ""), "resumed on another node: \(resumed)")
        let all = try events(survivors[1].client, victim)
        #expect(zip(before, all).allSatisfy { ($0["id"] as? Int) == ($1["id"] as? Int) }, "nothing stored before the kill was lost")
        #expect(all.contains { $0["type"] as? String == "interrupted"
            && ($0["data"] as? [String: Any])?["reason"] as? String == "lease_expired" })
        #expect(all.contains { $0["type"] as? String == "status" && ($0["data"] as? [String: Any])?["resume"] as? Bool == true })
        let epochs = all.filter { $0["type"] as? String == "epoch" }.compactMap { ($0["data"] as? [String: Any])?["global_epoch"] as? Int }
        #expect(epochs == Array(1...Self.longEpochs), "each epoch stored once, in order: \(epochs)")
        // The kill landed mid-training, and the resume went on from the last resume point n1 stored
        // (read from the whole log: n1 may have stored one more between `before` and the kill).
        let restart = all.last { $0["type"] as? String == "status" && ($0["data"] as? [String: Any])?["resume"] as? Bool == true }
        let (beforeRestart, fromRestart) = splitAt(all, id: restart?["id"] as? Int ?? .max)
        let checkpointed = beforeRestart.filter(isResumePoint)
            .compactMap { ($0["data"] as? [String: Any])?["global_epoch"] as? Int }.max()
        let afterRestart = fromRestart
            .filter { $0["type"] as? String == "epoch" }.compactMap { ($0["data"] as? [String: Any])?["global_epoch"] as? Int }
        #expect((checkpointed ?? .max) < Self.longEpochs, "killed after epoch \(checkpointed ?? -1) of \(Self.longEpochs)")
        #expect(checkpointed != nil && afterRestart == Array((checkpointed! + 1)...max(checkpointed! + 1, Self.longEpochs)),
                "the resumed run went on after epoch \(checkpointed ?? -1): \(afterRestart)")

        // The stream on n3 saw the whole log once, in order, and ended.
        try EventFanOutE2ETests.wait("the stream on n3 to end", timeout: 60) { stream.finished }
        let streamed = stream.received.compactMap { $0.id.flatMap(Int.init) }
        #expect(streamed == all.compactMap { $0["id"] as? Int }, "stream: \(streamed.count) events, stored: \(all.count)")
        #expect(stream.received.last?.event == "end")

        // Per job: gap-free ids, and the writing leases one after another, never interleaved.
        let db = try PostgresConnection(uri: uri)
        for id in ids {
            let rows = try db.query("SELECT id, node, lease FROM job_events WHERE job_id = $1 ORDER BY id", [PostgresParameter(id)]).rows
            #expect(rows.compactMap { $0[0].flatMap(Int.init) } == Array(1...rows.count), "\(id): ids gap-free")
            let keys = try db.query("SELECT count(*), count(DISTINCT key) FROM job_events WHERE job_id = $1 AND key IS NOT NULL",
                                    [PostgresParameter(id)]).rows
            #expect(keys.first?[0] == keys.first?[1], "\(id): no keyed fact stored twice")
            var finished: Set<String> = []
            var current: String?
            for row in rows {
                guard let lease = row[2] else { continue }  // written by no worker (submission, sweep)
                if lease != current {
                    #expect(!finished.contains(lease), "\(id): lease \(lease) wrote again after another lease had")
                    if let current { finished.insert(current) }
                    current = lease
                }
            }
            let writers = Set(rows.compactMap { $0[1] })
            #expect(id == victim ? writers.count == 2 && writers.contains("n1") : writers.count == 1, "\(id): \(writers)")
        }
        #expect(Set(try ids.map { try survivors[0].client.jsonObject("GET", "/v1/jobs/\($0)").1["node"] as? String ?? "" })
                    .isSuperset(of: ["n2", "n3"]), "both survivors trained")

        // Prompt across nodes (LISTEN/NOTIFY, not the 5 s fallback poll): the events other nodes
        // wrote while the stream on n3 was open reached it within a fraction of a second of their
        // write, and n2's run read n1's command at its next batch boundary.
        try EventFanOutE2ETests.wait("the stream of n2's job on n3 to end", timeout: 60) { remoteStream.finished }
        let delays = (try liveDelays(stream, job: victim, openedAt: streamOpened, db: db)
            + liveDelays(remoteStream, job: remote, openedAt: remoteStreamOpened, db: db)).sorted()
        let ack = try db.query("SELECT created_at FROM job_events WHERE job_id = $1 AND key = $2",
                               [PostgresParameter(remote), PostgresParameter("control:\(commandID)")]).rows.first?[0]
        let commandDelay = (ack.flatMap(Double.init) ?? .infinity) / 1000 - postedAt.timeIntervalSince1970
        print("cluster e2e: cross-node SSE delay over \(delays.count) live events: median \(Self.ms(delays.median)) ms, "
              + "max \(Self.ms(delays.last)) ms; command posted on n1 applied on n2 after \(Self.ms(commandDelay)) ms")
        #expect(delays.count >= 3, "live events from other nodes while the stream was open: \(delays.count)")
        // The median, not the max: one event may meet a descheduled thread on a loaded machine. With the
        // 0.5 s poll this replaced, the same run measured a median of 247 ms (max 485 ms); NOTIFY gives
        // 2-16 ms on a loaded 2-core machine.
        #expect((delays.median ?? .infinity) < 0.15, "cross-node SSE delays: \(delays)")
        #expect(commandDelay < 2, "command delay: \(commandDelay) s")
    }

    /// For each event another node (not n3, where the stream is) wrote after the stream opened (not
    /// history from before it): seconds from its write (`created_at`, the same machine's clock) to its
    /// arrival on the stream.
    private func liveDelays(_ stream: EventFanOutE2ETests.Recording, job: String, openedAt: Date,
                            db: PostgresConnection) throws -> [Double] {
        let written = Dictionary(uniqueKeysWithValues: try db.query(
            "SELECT id, created_at FROM job_events WHERE job_id = $1 AND node IS DISTINCT FROM 'n3'",
            [PostgresParameter(job)]).rows.compactMap { row -> (Int, Double)? in
                guard let id = row[0].flatMap(Int.init), let at = row[1].flatMap(Double.init) else { return nil }
                return (id, at / 1000)
            })
        let live = openedAt.timeIntervalSince1970
        return zip(stream.received, stream.receivedAt).compactMap { event, at -> Double? in
            guard let id = event.id.flatMap(Int.init), let time = written[id], time > live else { return nil }
            return at.timeIntervalSince1970 - time
        }
    }

    static func ms(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "-" }
        return String(Int((seconds * 1000).rounded()))
    }

    /// Epochs of the three long jobs: enough that the kill (at the victim's first checkpoint) and the
    /// command (as soon as n2 runs its job) land mid-training even on a loaded machine.
    static let longEpochs = 6

    /// A node frozen (SIGSTOP) past the lease timeout loses its job to another node; continued
    /// (SIGCONT), its late writes are refused, it stops the run by itself, and the job's history
    /// stays one lease after another.
    @Test func aFrozenNodesLateWritesAreRefusedAfterItsLeaseWasTaken() throws {
        let uri = try PostgresStoreE2ETests.freshDatabase()
        let artifacts = FileManager.default.temporaryDirectory.appendingPathComponent("thawd-cluster-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: artifacts) }
        let frozen = try Self.node("f1", uri: uri, artifacts: artifacts)
        defer { kill(frozen.process.processIdentifier, SIGCONT); frozen.stop() }
        let model = try frozen.client.registerSmallCNN()
        let (status, job) = try frozen.client.jsonObject("POST", "/v1/jobs", body: smallJob(model: model, perClass: 20, epochs: [1, 2]))
        #expect(status == 201)
        let id = try #require(job["id"] as? String)
        _ = try waitForRunning(on: "f1", among: [id], client: frozen.client)
        let other = try Self.node("f2", uri: uri, artifacts: artifacts)  // started now: the job is f1's
        defer { other.stop() }
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline, !(try events(other.client, id)).contains(where: isResumePoint) {
            usleep(100_000)
        }
        kill(frozen.process.processIdentifier, SIGSTOP)
        _ = try waitForRunning(on: "f2", among: [id], client: other.client)  // taken back after 4 s, resumed
        kill(frozen.process.processIdentifier, SIGCONT)

        let done = try other.client.waitForJob(id, statuses: ["succeeded", "failed", "stopped", "cancelled"], timeout: 600)
        #expect(done["status"] as? String == "succeeded", "\(done)\n\(other.logText)")
        #expect(done["node"] as? String == "f2" && done["attempts"] as? Int == 2)
        try EventFanOutE2ETests.wait("f1 to notice it lost the job", timeout: 30) {
            frozen.logText.contains("lease on it is gone")
        }
        #expect(!frozen.logText.contains("job \(id) succeeded"), "the frozen node wrote no outcome")
        let all = try events(other.client, id)
        let epochs = all.filter { $0["type"] as? String == "epoch" }.compactMap { ($0["data"] as? [String: Any])?["global_epoch"] as? Int }
        #expect(epochs == Array(1...3), "each epoch stored once: \(epochs)")
        let rows = try PostgresConnection(uri: uri)
            .query("SELECT id, node, lease FROM job_events WHERE job_id = $1 ORDER BY id", [PostgresParameter(id)]).rows
        #expect(rows.compactMap { $0[0].flatMap(Int.init) } == Array(1...rows.count), "ids gap-free")
        let writers = rows.compactMap { $0[1] }
        let firstOfF2 = try #require(writers.firstIndex(of: "f2"))
        #expect(!writers[firstOfF2...].contains("f1"), "no write of f1 after f2 took the job: \(writers)")
    }

    /// The id of a job running on `node`, once there is one.
    private func waitForRunning(on node: String, among ids: [String], client: HTTPClient) throws -> String {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            for id in ids {
                let job = try client.jsonObject("GET", "/v1/jobs/\(id)").1
                if job["status"] as? String == "running", job["node"] as? String == node { return id }
            }
            usleep(100_000)
        }
        throw E2EError.timedOut("no job ran on \(node)")
    }
}

extension Array where Element == Double {
    /// Of a sorted array.
    var median: Double? { isEmpty ? nil : self[count / 2] }
}
