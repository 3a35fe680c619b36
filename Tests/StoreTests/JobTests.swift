import Foundation
import Testing

@testable import Store

@Suite struct JobTests {
    @Test(arguments: Storage.allCases)
    func createdJobIsQueuedWithAStatusEvent(storage: Storage) throws {
        let store = try StoreFixture(storage).store
        let job = try store.createJob(name: "fmnist", priority: 2, spec: spec)
        #expect(RandomID.isWellFormed(job.id, prefix: "job"))
        #expect(job.status == .queued && job.priority == 2 && job.name == "fmnist" && job.spec == spec)
        #expect(job.startedAt == nil && job.finishedAt == nil && job.attempts == 0 && !job.interrupted)
        let events = try store.events(job: job.id)
        #expect(events.map(\.id) == [1])
        #expect(events.first?.type == "status" && events.first?.payload == #"{"status":"queued"}"#)
    }

    @Test func idsAreDistinctAndWellFormed() throws {
        let store = try StoreFixture(.memory).store
        let ids = try (0..<50).map { _ in try store.createJob(spec: spec).id }
        #expect(Set(ids).count == 50)
        #expect(ids.allSatisfy { RandomID.isWellFormed($0, prefix: "job") })
    }

    @Test func unknownJobIsNotFound() throws {
        let store = try StoreFixture(.memory).store
        #expect(throws: StoreError.notFound(kind: "job", id: "job_0000000000000000")) {
            try store.job("job_0000000000000000")
        }
    }

    // MARK: Malformed input: each its own case, and nothing written.

    @Test func specThatIsNotJSONIsRefused() throws {
        try expectRefusedWithoutWrite(.invalidArgument(field: "spec", reason: "not valid JSON")) {
            try $0.createJob(spec: "{epochs: 3}")
        }
    }

    @Test func emptySpecIsRefused() throws {
        try expectRefusedWithoutWrite(.invalidArgument(field: "spec", reason: "not valid JSON")) {
            try $0.createJob(spec: "")
        }
    }

    @Test func truncatedSpecIsRefused() throws {
        try expectRefusedWithoutWrite(.invalidArgument(field: "spec", reason: "not valid JSON")) {
            try $0.createJob(spec: String(spec.dropLast()))
        }
    }

    @Test func emptyNameIsRefused() throws {
        try expectRefusedWithoutWrite(.invalidArgument(field: "name", reason: "must be 1 to 256 characters")) {
            try $0.createJob(name: "", spec: spec)
        }
    }

    @Test func overlongNameIsRefused() throws {
        try expectRefusedWithoutWrite(.invalidArgument(field: "name", reason: "must be 1 to 256 characters")) {
            try $0.createJob(name: String(repeating: "x", count: 257), spec: spec)
        }
    }

    @Test func unknownBaseModelIsRefused() throws {
        try expectRefusedWithoutWrite(.notFound(kind: "model", id: "model_0123456789abcdef")) {
            try $0.createJob(spec: spec, modelID: "model_0123456789abcdef")
        }
    }

    @Test func specWithSQLInjectionIsStoredVerbatim() throws {
        let store = try StoreFixture(.memory).store
        let hostile = #"{"name":"x'); DROP TABLE jobs; --"}"#
        let job = try store.createJob(name: "'; DROP TABLE jobs; --", spec: hostile)
        #expect(try store.job(job.id).spec == hostile)
        #expect(try store.jobs().data.count == 1)
    }

    @Test func resultThatIsNotJSONIsRefusedAndJobUnchanged() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.claimNextQueued(after: store.createJob(spec: spec))
        #expect(throws: StoreError.invalidArgument(field: "result", reason: "not valid JSON")) {
            try store.transitionJob(job.id, to: .succeeded, result: "{")
        }
        #expect(try store.job(job.id) == job)
    }

    @Test func negativeEpochIsRefused() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.createJob(spec: spec)
        #expect(throws: StoreError.invalidArgument(field: "epoch", reason: "must be >= 0")) {
            try store.updateProgress(job.id, epoch: -1)
        }
    }

    /// Runs `body` on a store holding one job and checks it throws `expected` and writes nothing.
    private func expectRefusedWithoutWrite(
        _ expected: StoreError, _ body: (Store) throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let store = try StoreFixture(.memory).store
        _ = try store.createJob(spec: spec)
        let before = try snapshot(store)
        let writes = store.writeCount
        #expect(throws: expected, sourceLocation: sourceLocation) { try body(store) }
        #expect(store.writeCount == writes, "a refused call must not reach the write seam", sourceLocation: sourceLocation)
        #expect(try snapshot(store) == before, sourceLocation: sourceLocation)
    }

    // MARK: Transitions

    @Test func illegalTransitionWritesNothing() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.createJob(spec: spec)
        #expect(throws: StoreError.illegalTransition(from: .queued, to: .paused)) {
            try store.transitionJob(job.id, to: .paused)
        }
        #expect(try store.job(job.id) == job)
        #expect(try store.lastEventID(job: job.id) == 1)
    }

    @Test func terminalTransitionSetsFinishedAndRecordsFailure() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.claimNextQueued(after: store.createJob(spec: spec))
        let failure = JobFailure(code: "nan_loss", message: "loss became NaN at epoch 2")
        let failed = try store.transitionJob(job.id, to: .failed, failure: failure)
        #expect(failed.status == .failed && failed.failure == failure && failed.finishedAt != nil)
        let last = try store.events(job: job.id).last
        #expect(last?.payload
            == #"{"error":{"code":"nan_loss","message":"loss became NaN at epoch 2"},"previous":"running","status":"failed"}"#)
        #expect(throws: StoreError.illegalTransition(from: .failed, to: .running)) {
            try store.transitionJob(job.id, to: .running)
        }
    }

    @Test func pauseAndResumeKeepStartedAtAndAttempts() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.claimNextQueued(after: store.createJob(spec: spec))
        _ = try store.transitionJob(job.id, to: .paused)
        let resumed = try store.transitionJob(job.id, to: .running)
        #expect(resumed.startedAt == job.startedAt && resumed.attempts == 1)
        let done = try store.transitionJob(job.id, to: .succeeded, result: #"{"model":"model_1"}"#)
        #expect(done.result == #"{"model":"model_1"}"# && done.finishedAt != nil)
    }

    @Test func progressKeepsUnsetFields() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.createJob(spec: spec)
        _ = try store.updateProgress(job.id, phase: "head", epoch: 1, step: 10)
        let updated = try store.updateProgress(job.id, step: 20)
        #expect(updated.phase == "head" && updated.epoch == 1 && updated.step == 20)
    }

    @Test func progressOnAFinishedJobIsAConflict() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.createJob(spec: spec)
        _ = try store.transitionJob(job.id, to: .cancelled)
        #expect(throws: StoreError.conflict(kind: "job", id: job.id, reason: "job is cancelled")) {
            try store.updateProgress(job.id, step: 1)
        }
    }
}

extension Store {
    /// Test shorthand: claim and check the claim returned `job`.
    func claimNextQueued(after job: JobRecord) throws -> JobRecord {
        let claimed = try claimNextQueued()
        try #require(claimed?.id == job.id)
        return claimed!
    }
}

/// Every user table's rows, for "nothing changed" comparisons.
func snapshot(_ store: Store) throws -> [String: [[SQLiteValue]]] {
    var tables: [String: [[SQLiteValue]]] = [:]
    for name in ["models", "datasets", "jobs", "job_events", "job_commands", "checkpoints", "job_metrics", "job_training_state"] {
        tables[name] = try store.rawQuery("SELECT * FROM \(name) ORDER BY 1, 2")
    }
    return tables
}

import SQLite
