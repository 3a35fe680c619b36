import Foundation
import Testing

@testable import Store

@Suite struct CheckpointTests {
    private func runningJob(_ store: Store) throws -> JobRecord {
        try store.claimNextQueued(after: store.createJob(spec: spec))
    }

    private func exists(_ store: Store, _ checkpoint: CheckpointRecord) -> Bool {
        FileManager.default.fileExists(atPath: store.artifactPath(checkpoint.artifact))
    }

    @Test(arguments: Storage.allCases)
    func checkpointRoundTripsVerified(storage: Storage) throws {
        let store = try StoreFixture(storage).store
        let job = try runningJob(store)
        let bytes: [UInt8] = Array("THAWCKPT\u{1}state".utf8)
        let saved = try store.addCheckpoint(job: job.id, kind: .epoch, epoch: 1, metrics: #"{"val_loss":0.5}"#, source: .bytes(bytes))
        #expect(RandomID.isWellFormed(saved.id, prefix: "ckpt") && saved.artifact.size == bytes.count)
        #expect(saved.artifact.path.hasPrefix("checkpoints/\(job.id)/epoch-e1-"))
        #expect(try store.readCheckpoint(saved) == bytes)
        #expect(try store.checkpoint(saved.id) == saved)
    }

    @Test func bestAndLastAreReplacedAndTheOldFileDeleted() throws {
        let store = try StoreFixture().store
        let job = try runningJob(store)
        let best1 = try store.addCheckpoint(job: job.id, kind: .best, epoch: 1, source: .bytes([1]))
        let last1 = try store.addCheckpoint(job: job.id, kind: .last, epoch: 1, source: .bytes([1]))
        let last2 = try store.addCheckpoint(job: job.id, kind: .last, epoch: 2, source: .bytes([2]))
        #expect(try store.bestCheckpoint(job: job.id) == best1)
        #expect(try store.lastCheckpoint(job: job.id) == last2)
        #expect(!exists(store, last1) && exists(store, last2) && exists(store, best1))
        let best3 = try store.addCheckpoint(job: job.id, kind: .best, epoch: 3, source: .bytes([3]))
        #expect(try store.bestCheckpoint(job: job.id) == best3 && !exists(store, best1))
        #expect(try store.checkpoints(job: job.id).map(\.id) == [last2.id, best3.id])
    }

    @Test func reRunEpochReplacesItsCheckpoint() throws {
        let store = try StoreFixture().store
        let job = try runningJob(store)
        let first = try store.addCheckpoint(job: job.id, kind: .epoch, epoch: 4, source: .bytes([1]))
        let again = try store.addCheckpoint(job: job.id, kind: .epoch, epoch: 4, source: .bytes([2]))
        #expect(try store.checkpoints(job: job.id) == [again] && !exists(store, first))
    }

    @Test func lastCheckpointIsTheNewestResumePointNotBest() throws {
        let store = try StoreFixture().store
        let job = try runningJob(store)
        #expect(try store.lastCheckpoint(job: job.id) == nil && store.bestCheckpoint(job: job.id) == nil)
        _ = try store.addCheckpoint(job: job.id, kind: .last, epoch: 1, source: .bytes([1]))
        let epoch2 = try store.addCheckpoint(job: job.id, kind: .epoch, epoch: 2, source: .bytes([2]))
        _ = try store.addCheckpoint(job: job.id, kind: .best, epoch: 2, source: .bytes([2]))
        #expect(try store.lastCheckpoint(job: job.id) == epoch2)
    }

    @Test func checkpointForAFinishedJobIsAConflictAndLeavesNoFile() throws {
        let fixture = try StoreFixture()
        let job = try runningJob(fixture.store)
        _ = try fixture.store.transitionJob(job.id, to: .succeeded)
        #expect(throws: StoreError.conflict(kind: "job", id: job.id, reason: "job is succeeded")) {
            try fixture.store.addCheckpoint(job: job.id, kind: .last, epoch: 1, source: .bytes([1]))
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.directory.file("artifacts/checkpoints/\(job.id)")))
    }

    @Test func pathTraversalJobIdIsNotFoundAndTouchesNoFile() throws {
        let fixture = try StoreFixture()
        #expect(throws: StoreError.notFound(kind: "job", id: "job_../../escape")) {
            try fixture.store.addCheckpoint(job: "job_../../escape", kind: .last, epoch: 1, source: .bytes([1]))
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.directory.file("escape")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory.file("artifacts")).isEmpty)
    }

    @Test func checkpointMetricsThatAreNotJSONAreRefused() throws {
        let store = try StoreFixture().store
        let job = try runningJob(store)
        #expect(throws: StoreError.invalidArgument(field: "metrics", reason: "not valid JSON")) {
            try store.addCheckpoint(job: job.id, kind: .last, epoch: 1, metrics: "loss=1", source: .bytes([1]))
        }
    }

    @Test func negativeCheckpointEpochIsRefused() throws {
        let store = try StoreFixture().store
        let job = try runningJob(store)
        #expect(throws: StoreError.invalidArgument(field: "epoch", reason: "must be >= 0")) {
            try store.addCheckpoint(job: job.id, kind: .last, epoch: -1, source: .bytes([1]))
        }
    }

    @Test func unknownCheckpointIsNotFound() throws {
        #expect(throws: StoreError.notFound(kind: "checkpoint", id: "ckpt_1")) {
            try StoreFixture().store.checkpoint("ckpt_1")
        }
    }
}
