import Foundation
import Testing

@testable import Store

/// Issue 14's store-level defects: the data-dir lock, poison jobs, deletion, checkpoint retention,
/// idempotent events, and a job parked by a full disk.
@Suite struct LifecycleTests {
    private func runningJob(_ store: Store, name: String? = nil) throws -> JobRecord {
        try store.claimNextQueued(after: store.createJob(name: name, spec: spec))
    }

    private func exists(_ store: Store, _ checkpoint: CheckpointRecord) -> Bool {
        FileManager.default.fileExists(atPath: store.artifactPath(checkpoint.artifact))
    }

    // MARK: The data-dir lock

    @Test func aSecondStoreOnALockedDataDirIsRefusedNamingThePidAndTouchesNothing() throws {
        let fixture = try StoreFixture()
        let job = try runningJob(fixture.store)
        // What a live process has in flight: a temp file it is writing and a file whose row is about
        // to commit. An unlocked open sweeps both and marks the job interrupted.
        let root = fixture.directory.file("artifacts")
        try FileManager.default.createDirectory(atPath: root + "/checkpoints/\(job.id)", withIntermediateDirectories: true)
        let temp = root + "/checkpoints/\(job.id)/.tmp-0123456789abcdef-epoch-e1-x.ckpt"
        let pending = root + "/checkpoints/\(job.id)/epoch-e1-0123456789abcdef.ckpt"
        for path in [temp, pending] { _ = FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3])) }
        let before = try snapshot(fixture.store)

        #expect(throws: StoreError.locked(path: fixture.directory.file("thaw.lock"), holder: getpid())) {
            try Store(configuration: .dataDirectory(fixture.directory.path, synchronous: .normal))
        }
        #expect(FileManager.default.fileExists(atPath: temp) && FileManager.default.fileExists(atPath: pending))
        #expect(try snapshot(fixture.store) == before)
        #expect(try fixture.store.job(job.id).interrupted == false)
        let message = StoreError.locked(path: "/d/thaw.lock", holder: 42).description
        #expect(message.contains("pid 42") && message.contains("/d/thaw.lock"))
    }

    @Test func theLockIsReleasedWithTheStore() throws {
        let directory = TemporaryDirectory()
        var first: Store? = try Store(configuration: .dataDirectory(directory.path, synchronous: .normal))
        _ = try first!.createJob(spec: spec)
        first = nil
        let second = try Store(configuration: .dataDirectory(directory.path, synchronous: .normal))
        #expect(try second.jobs().data.count == 1)
        let pid = try String(contentsOfFile: directory.file("thaw.lock"), encoding: .utf8)
        #expect(pid.trimmingCharacters(in: .whitespacesAndNewlines) == String(getpid()))
    }

    // MARK: Poison jobs

    @Test func aJobThatDiesWithTheProcessMaxTimesIsFailedAndTheQueueMovesOn() throws {
        let fixture = try StoreFixture()
        let poison = try fixture.store.createJob(name: "poison", priority: 5, spec: spec)
        let next = try fixture.store.createJob(name: "next", spec: spec)
        var store = fixture.store
        for crash in 1...3 {
            let claimed = try #require(try store.claimNextQueued())
            #expect(claimed.id == poison.id, "a crashed job is re-claimed first (crash \(crash))")
            store = try fixture.reopen()  // the process died with the job running
            let recovery = try store.recoverInterruptedJobs(failingAfter: 3)
            #expect(try store.job(poison.id).crashes == crash)
            #expect(recovery.failed.map(\.id) == (crash == 3 ? [poison.id] : []))
            #expect(try store.recoverInterruptedJobs(failingAfter: 3).failed.isEmpty, "idempotent")
        }
        let failed = try store.job(poison.id)
        #expect(failed.status == .failed && failed.failure?.code == "crashed_repeatedly" && !failed.interrupted)
        #expect(failed.failure?.message.contains("3") == true)
        #expect(try store.claimNextQueued()?.id == next.id)
        #expect(try store.events(job: poison.id).last?.type == "status")
    }

    @Test func aGracefulShutdownReleasesTheJobWithoutCountingACrash() throws {
        let fixture = try StoreFixture()
        let job = try runningJob(fixture.store)
        let released = try fixture.store.releaseJob(job.id)
        #expect(released.interrupted && released.status == .running && released.crashes == 0)
        #expect(try fixture.store.releaseJob(job.id) == released, "idempotent")
        let store = try fixture.reopen()
        let recovery = try store.recoverInterruptedJobs(failingAfter: 1)
        #expect(recovery.failed.isEmpty && recovery.interrupted.map(\.id) == [job.id])
        #expect(try store.job(job.id).crashes == 0)
        #expect(try store.events(job: job.id).filter { $0.type == "interrupted" }.count == 1)
        #expect(try store.claimNextQueued()?.isResume == true)
    }

    @Test func pausedJobsAreNotCountedAsCrashes() throws {
        let fixture = try StoreFixture()
        let job = try runningJob(fixture.store)
        _ = try fixture.store.transitionJob(job.id, to: .paused)
        let recovery = try fixture.reopen().recoverInterruptedJobs(failingAfter: 1)
        #expect(recovery.failed.isEmpty && recovery.interrupted.first?.crashes == 0)
    }

    @Test func maxCrashesBelowOneIsRefused() throws {
        #expect(throws: StoreError.invalidArgument(field: "max_attempts", reason: "must be at least 1")) {
            try StoreFixture(.memory).store.recoverInterruptedJobs(failingAfter: 0)
        }
    }

    // MARK: Deletion

    @Test(arguments: Storage.allCases)
    func deletingAFinishedJobRemovesItsRowsAndFiles(storage: Storage) throws {
        let fixture = try StoreFixture(storage)
        let store = fixture.store
        let job = try runningJob(store)
        let other = try runningJob(store)
        let checkpoints = try [1, 2].map { try store.addCheckpoint(job: job.id, kind: .epoch, epoch: $0, source: .bytes([UInt8($0)])) }
        let kept = try store.addCheckpoint(job: other.id, kind: .epoch, epoch: 1, source: .bytes([9]))
        try store.recordMetrics(job: job.id, phase: "head", epoch: 1, values: #"{"loss":1}"#)
        _ = try store.postCommand(job: job.id, type: "pause")

        #expect(throws: StoreError.conflict(kind: "job", id: job.id,
                                           reason: "job is running; only a finished job can be deleted (cancel or stop it first)")) {
            try store.deleteJob(job.id)
        }
        #expect(checkpoints.allSatisfy { exists(store, $0) })
        _ = try store.transitionJob(job.id, to: .succeeded, result: "{}")
        try store.deleteJob(job.id)

        #expect(throws: StoreError.notFound(kind: "job", id: job.id)) { try store.job(job.id) }
        for table in ["job_events", "job_commands", "checkpoints", "job_metrics"] {
            #expect(try store.rawQuery("SELECT count(*) FROM \(table) WHERE job_id = '\(job.id)'")[0][0].int == 0, "\(table)")
        }
        #expect(checkpoints.allSatisfy { !exists(store, $0) } && exists(store, kept))
        #expect(!FileManager.default.fileExists(atPath: fixture.directory.file("artifacts/checkpoints/\(job.id)")))
        #expect(try store.job(other.id).status == .running)
        #expect(throws: StoreError.notFound(kind: "job", id: job.id)) { try store.deleteJob(job.id) }
    }

    @Test func aModelIsDeletableOnceNoQueuedRunningOrPausedJobUsesIt() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let model = try store.createModel(name: "m", architecture: "a", spec: "{}", source: .builtin, weights: .bytes([1, 2]))
        let finished = try store.claimNextQueued(after: store.createJob(spec: spec, modelID: model.id))
        _ = try store.transitionJob(finished.id, to: .failed, failure: JobFailure(code: "x", message: "y"))
        let queued = try store.createJob(spec: spec, modelID: model.id)
        #expect(throws: StoreError.conflict(kind: "model", id: model.id, reason: "used by 1 queued, running or paused job(s)")) {
            try store.deleteModel(model.id)
        }
        _ = try store.transitionJob(queued.id, to: .cancelled)
        try store.deleteModel(model.id)
        #expect(throws: StoreError.notFound(kind: "model", id: model.id)) { try store.model(model.id) }
        #expect(try store.job(finished.id).modelID == nil && store.job(finished.id).spec == spec)
        #expect(!FileManager.default.fileExists(atPath: store.artifactPath(model.weights!)))
    }

    @Test func aDatasetNamedByAnActiveJobSpecIsAConflict() throws {
        let store = try StoreFixture(.memory).store
        let dataset = try store.createDataset(name: "d", path: "/x", classes: "[]", counts: "{}")
        let job = try store.createJob(spec: #"{"dataset":{"id":"\#(dataset.id)"}}"#)
        #expect(throws: StoreError.conflict(kind: "dataset", id: dataset.id, reason: "used by 1 queued, running or paused job(s)")) {
            try store.deleteDataset(dataset.id, usedAt: "$.dataset.id")
        }
        _ = try store.transitionJob(job.id, to: .cancelled)
        try store.deleteDataset(dataset.id, usedAt: "$.dataset.id")
        #expect(throws: StoreError.notFound(kind: "dataset", id: dataset.id)) { try store.dataset(dataset.id) }
    }

    // MARK: Retention

    @Test func pruningKeepsBestLastTheNewestEpochsAndTheResumeStatesEpoch() throws {
        let store = try StoreFixture().store
        let job = try runningJob(store)
        let epochs = try (1...5).map { try store.addCheckpoint(job: job.id, kind: .epoch, epoch: $0, source: .bytes([UInt8($0)])) }
        let best = try store.addCheckpoint(job: job.id, kind: .best, epoch: 1, source: .bytes([1]))
        // The resume state lags (its write for epoch 5 failed): epoch 3's weights must stay with it.
        let last = try store.addCheckpoint(job: job.id, kind: .last, epoch: 3, source: .bytes([3]))
        let removed = try store.pruneEpochCheckpoints(job: job.id, keepLast: 1)
        #expect(removed.map(\.epoch) == [1, 2, 4])
        let left = try store.checkpoints(job: job.id)
        #expect(Set(left.map(\.id)) == [epochs[2].id, epochs[4].id, best.id, last.id])
        #expect(removed.allSatisfy { !exists(store, $0) } && left.allSatisfy { exists(store, $0) })
        #expect(try store.pruneEpochCheckpoints(job: job.id, keepLast: 2).isEmpty)
        #expect(throws: StoreError.invalidArgument(field: "keep_last", reason: "must be at least 1")) {
            try store.pruneEpochCheckpoints(job: job.id, keepLast: 0)
        }
    }

    // MARK: Idempotent events

    @Test(arguments: Storage.allCases)
    func anEventKeyIsStoredOnce(storage: Storage) throws {
        let store = try StoreFixture(storage).store
        let job = try runningJob(store)
        let first = try store.appendEvent(job: job.id, type: "epoch", payload: #"{"global_epoch":1}"#, key: "epoch:1")
        let again = try store.appendEvent(job: job.id, type: "epoch", payload: #"{"global_epoch":1,"x":2}"#, key: "epoch:1")
        #expect(again == first)
        let next = try store.appendEvent(job: job.id, type: "epoch", payload: #"{"global_epoch":2}"#, key: "epoch:2")
        #expect(next.id == first.id + 1)
        let unkeyed = try store.appendEvent(job: job.id, type: "run", payload: "{}")
        #expect(try store.appendEvent(job: job.id, type: "run", payload: "{}").id == unkeyed.id + 1)
        #expect(try store.events(job: job.id).filter { $0.type == "epoch" }.count == 2)
    }

    // MARK: A full disk

    @Test func aFullDiskDuringACheckpointLeavesThePreviousOneAndParkingPausesTheJob() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let job = try runningJob(store)
        let previous = try store.addCheckpoint(job: job.id, kind: .last, epoch: 1, source: .bytes([1, 1]))
        store.simulateDiskFull(forPathsContaining: "checkpoints/")
        var caught: StoreError?
        do { _ = try store.addCheckpoint(job: job.id, kind: .last, epoch: 2, source: .bytes([2, 2])) } catch { caught = error }
        #expect(caught?.isDiskFull == true, "\(String(describing: caught))")
        #expect(try store.checkpoints(job: job.id) == [previous] && store.readCheckpoint(previous) == [1, 1])
        let files = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.file("artifacts/checkpoints/\(job.id)"))
        #expect(files.count == 1, "no temp file left: \(files)")
        store.clearDiskFull()

        let parked = try store.parkJob(job.id, failure: JobFailure(code: "disk_full", message: "no space"))
        #expect(parked.status == .paused && parked.interrupted && parked.failure?.code == "disk_full")
        #expect(try store.claimNextQueued() == nil, "parked until resumed")
        let resumed = try store.transitionJob(job.id, to: .running)
        #expect(resumed.failure == nil && resumed.interrupted)
        let claimed = try #require(try store.claimNextQueued())
        #expect(claimed.id == job.id && claimed.isResume)
        #expect(try store.lastCheckpoint(job: job.id) == previous)
        #expect(StoreError.sqlite(code: 13, message: "database or disk is full").isDiskFull)
    }
}
