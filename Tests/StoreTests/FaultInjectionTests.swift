import Foundation
import JobAPI
import Testing

@testable import Store

/// SQLite's habit: count an operation's durable writes, then fail each one in turn and check the store
/// is exactly as before (rows and artifact files), still sound, and still works.
@Suite struct FaultInjectionTests {
    /// Runs `operation` once to count its writes, then for k in 1...n on a fresh store: sets up, fails
    /// write k, and checks nothing changed, the file is sound, the retry succeeds and a re-open agrees.
    private func failEveryWrite(
        minimumWrites: Int,
        setup: (Store) throws -> String = { _ in "" },
        _ operation: (Store, String) throws -> Void,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let probe = try StoreFixture()
        let probeContext = try setup(probe.store)
        probe.store.resetWriteCount()
        try operation(probe.store, probeContext)
        let writes = probe.store.writeCount
        #expect(writes >= minimumWrites, "expected at least \(minimumWrites) writes, saw \(writes)", sourceLocation: sourceLocation)
        let expectedAfter = try snapshotShape(probe.store)

        for k in 1...writes {
            let fixture = try StoreFixture()
            let context = try setup(fixture.store)
            let rowsBefore = try snapshot(fixture.store)
            let filesBefore = artifactFiles(fixture)
            fixture.store.failWrite(at: k)
            do {
                try operation(fixture.store, context)
                Issue.record("write \(k) of \(writes) did not fail", sourceLocation: sourceLocation)
            } catch let error as StoreError {
                guard case .injectedFault(let write, _) = error, write == k else {
                    Issue.record("write \(k): unexpected \(error)", sourceLocation: sourceLocation)
                    continue
                }
            }
            #expect(try snapshot(fixture.store) == rowsBefore, "rows changed after failed write \(k)", sourceLocation: sourceLocation)
            #expect(artifactFiles(fixture) == filesBefore, "files changed after failed write \(k)", sourceLocation: sourceLocation)
            try fixture.expectConsistent(sourceLocation: sourceLocation)

            try operation(fixture.store, context)  // the store is still usable: the retry succeeds
            #expect(try snapshotShape(fixture.store) == expectedAfter, "retry after write \(k)", sourceLocation: sourceLocation)
            let reopened = try fixture.reopen()
            #expect(reopened.sweptArtifacts.isEmpty, "no orphan after failed write \(k)", sourceLocation: sourceLocation)
            #expect(try snapshot(reopened) == snapshot(fixture.store), sourceLocation: sourceLocation)
        }
    }

    /// Row counts per table: what a successful operation must leave regardless of random ids and times.
    private func snapshotShape(_ store: Store) throws -> [String: Int] {
        try snapshot(store).mapValues(\.count)
    }

    private func artifactFiles(_ fixture: StoreFixture) -> [String: Data] {
        let root = fixture.directory.file("artifacts")
        var files: [String: Data] = [:]
        let walker = FileManager.default.enumerator(atPath: root)
        while let path = walker?.nextObject() as? String {
            if walker?.fileAttributes?[.type] as? FileAttributeType == .typeRegular {
                files[path] = FileManager.default.contents(atPath: root + "/" + path)
            }
        }
        return files
    }

    private func runningJob(_ store: Store) throws -> String {
        let job = try store.createJob(spec: spec)
        _ = try store.claimNextQueued()
        return job.id
    }

    @Test func createJob() throws {
        try failEveryWrite(minimumWrites: 3) { store, _ in try store.createJob(name: "j", spec: spec) }
    }

    @Test func claimNextQueued() throws {
        try failEveryWrite(minimumWrites: 3, setup: { try $0.createJob(spec: spec).id }) { store, _ in
            _ = try #require(try store.claimNextQueued())
        }
    }

    @Test func terminalTransitionCancellingCommands() throws {
        try failEveryWrite(minimumWrites: 4, setup: { store in
            let id = try runningJob(store)
            _ = try store.postCommand(job: id, type: "unfreeze", payload: #"{"group":"all"}"#)
            return id
        }) { store, id in
            _ = try store.transitionJob(id, to: .failed, failure: JobFailure(code: "x", message: "y"))
        }
    }

    @Test func recoverInterruptedJobs() throws {
        try failEveryWrite(minimumWrites: 5, setup: { store in
            _ = try runningJob(store)
            let paused = try runningJob(store)
            _ = try store.transitionJob(paused, to: .paused)
            return ""
        }) { store, _ in
            let recovered = try store.recoverInterruptedJobs()
            #expect(recovered.count == 2)
        }
    }

    @Test func addCheckpointReplacingLast() throws {
        try failEveryWrite(minimumWrites: 7, setup: { store in
            let id = try runningJob(store)
            try store.addCheckpoint(job: id, kind: .last, epoch: 1, source: .bytes(Array(repeating: 1, count: 4096)))
            return id
        }) { store, id in
            try store.addCheckpoint(job: id, kind: .last, epoch: 2, metrics: #"{"val_loss":0.2}"#,
                                    source: .bytes(Array(repeating: 2, count: 4096)))
        }
    }

    @Test func recoveryFailingAPoisonJob() throws {
        try failEveryWrite(minimumWrites: 6, setup: { try runningJob($0) }) { store, id in
            let recovery = try store.recoverInterruptedJobs(failingAfter: 1)
            #expect(recovery.failed.map(\.id) == [id])
        }
    }

    @Test func releaseAndParkJob() throws {
        try failEveryWrite(minimumWrites: 3, setup: { try runningJob($0) }) { store, id in
            try store.releaseJob(id)
        }
        try failEveryWrite(minimumWrites: 4, setup: { try runningJob($0) }) { store, id in
            try store.parkJob(id, failure: JobFailure(code: "disk_full", message: "no space"))
        }
    }

    @Test func deleteFinishedJobWithCheckpoints() throws {
        try failEveryWrite(minimumWrites: 2, setup: { store in
            let id = try runningJob(store)
            try store.addCheckpoint(job: id, kind: .epoch, epoch: 1, source: .bytes([1]))
            _ = try store.transitionJob(id, to: .cancelled)
            return id
        }) { store, id in
            try store.deleteJob(id)
        }
    }

    @Test func pruneEpochCheckpoints() throws {
        try failEveryWrite(minimumWrites: 3, setup: { store in
            let id = try runningJob(store)
            for epoch in 1...3 { try store.addCheckpoint(job: id, kind: .epoch, epoch: epoch, source: .bytes([UInt8(epoch)])) }
            return id
        }) { store, id in
            let removed = try store.pruneEpochCheckpoints(job: id, keepLast: 1)
            #expect(removed.count == 2)
        }
    }

    @Test func createModelWithWeights() throws {
        try failEveryWrite(minimumWrites: 6) { store, _ in
            try store.createModel(name: "m", architecture: "small-cnn", spec: "{}", source: .upload, weights: .bytes([1, 2, 3]))
        }
    }

    @Test func deleteModel() throws {
        try failEveryWrite(minimumWrites: 2, setup: { store in
            try store.createModel(name: "m", architecture: "a", spec: "{}", source: .upload, weights: .bytes([1])).id
        }) { store, id in
            try store.deleteModel(id)
        }
    }

    @Test func postCommand() throws {
        try failEveryWrite(minimumWrites: 2, setup: { try runningJob($0) }) { store, id in
            _ = try store.postCommand(job: id, type: "lr", payload: #"{"lr":0.01}"#)
        }
    }

    @Test func resolveCommand() throws {
        try failEveryWrite(minimumWrites: 2, setup: { store in
            try store.postCommand(job: try runningJob(store), type: "pause").id
        }) { store, id in
            _ = try store.resolveCommand(id, as: .applied)
        }
    }

    @Test func recordMetrics() throws {
        try failEveryWrite(minimumWrites: 2, setup: { try runningJob($0) }) { store, id in
            try store.recordMetrics(job: id, phase: "head", epoch: 1, values: #"{"loss":1}"#)
        }
    }

    @Test func appendEvent() throws {
        try failEveryWrite(minimumWrites: 2, setup: { try runningJob($0) }) { store, id in
            try store.appendEvent(job: id, type: "epoch", payload: #"{"epoch":1}"#)
        }
    }

    /// The event, its training state row and the job's position commit together or not at all.
    @Test func appendTypedEvent() throws {
        try failEveryWrite(minimumWrites: 4, setup: { try runningJob($0) }) { store, id in
            try store.appendEvent(job: id, event: TrainingStateTests.epoch(1, step: 7, loss: 0.5), key: "epoch:1")
        }
    }

    @Test func createDataset() throws {
        try failEveryWrite(minimumWrites: 2) { store, _ in
            try store.createDataset(name: "d", path: "/d", classes: "[]", counts: "{}")
        }
    }

    @Test func everyMigrationWrite() throws {
        let writes = Schema.migrations.count * 3  // migration SQL, its record, COMMIT
        for k in 1...writes {
            let directory = TemporaryDirectory()
            let configuration = StoreConfiguration.dataDirectory(directory.path)
            do {
                let connection = try StoreConnection(configuration: configuration)
                connection.faults.failWrite(at: k)
                #expect(throws: StoreError.self) { try Migration.apply(Schema.migrations, to: connection) }
                let recorded = try connection.read("SELECT count(*) FROM schema_migrations")[0][0].int
                #expect(recorded == Int64((k - 1) / 3), "write \(k): only whole migrations are recorded")
            }
            let store = try Store(configuration: configuration)
            #expect(store.appliedMigrations == Schema.migrations.dropFirst((k - 1) / 3).map(\.name))
            #expect(try store.rawQuery("PRAGMA integrity_check") == [[.text("ok")]])
        }
    }
}
