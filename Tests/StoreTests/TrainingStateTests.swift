import Foundation
import JobAPI
import SQLite
import Testing

@testable import Store

/// The per-job training state row: folded from each event in the append's transaction (migration 0005).
@Suite struct TrainingStateTests {
    static let phase = TrainingEvent.phase(PhaseEvent(
        event: .started, phase: "head", phaseIndex: 0, epochs: 2, openEnded: false, trainable: ["head"],
        peakLRs: ["body": 0.001, "head": 0.01]))

    static func epoch(_ global: Int, step: Int, loss: Double) -> TrainingEvent {
        .epoch(EpochEvent(phase: "head", phaseIndex: 0, epoch: global, epochs: 2, globalEpoch: global, globalStep: step,
                          trainLoss: loss, valLoss: nil, valAccuracy: nil, perClassAccuracy: [:],
                          lrs: ["body": 0.001, "head": 0.005], peakLRs: ["body": 0.001, "head": 0.01], trainable: ["head"],
                          seconds: 1, trainSeconds: 1, evalSeconds: 0, cacheSeconds: 0, loaderWaitSeconds: 0,
                          imagesPerSecond: 100, fromCache: false, isBest: true, lrReduced: false))
    }

    static let unfreeze = TrainingEvent.control(ControlEvent(
        id: "cmd_0000000000000001", action: .unfreeze, ok: true, trainable: ["body", "head"], trainableLayers: ["a", "b"],
        peakLRs: ["body": 0.001, "head": 0.01], lrs: ["body": 0.0009, "head": 0.005], paused: false, fromCache: false))

    func runningJob(_ store: Store) throws -> String {
        let job = try store.createJob(spec: spec)
        _ = try store.claimNextQueued()
        return job.id
    }

    @Test(arguments: Storage.allCases)
    func typedAppendsFoldIntoTheStateAndTheJobRecord(storage: Storage) throws {
        let store = try StoreFixture(storage).store
        let id = try runningJob(store)
        #expect(try store.trainingState(job: id) == nil, "a job that reported nothing has no state")
        try store.appendEvent(job: id, event: Self.phase)
        try store.appendEvent(job: id, event: Self.epoch(1, step: 7, loss: 0.5), key: "epoch:1")
        let state = try #require(try store.trainingState(job: id))
        #expect(state == JobTrainingState().applying(Self.phase).applying(Self.epoch(1, step: 7, loss: 0.5)))
        #expect(state.groups.map(\.name) == ["body", "head"])
        let job = try store.job(id)
        #expect(job.phase == "head" && job.epoch == 1 && job.step == 7)
        // The event itself is stored as the wire spells it.
        let stored = try store.events(job: id).last!
        #expect(stored.type == "epoch")
        #expect(stored.payload == (try Self.epoch(1, step: 7, loss: 0.5).payloadText()))
    }

    @Test func aDuplicateKeyedEventChangesNothing() throws {
        let store = try StoreFixture().store
        let id = try runningJob(store)
        try store.appendEvent(job: id, event: Self.epoch(1, step: 7, loss: 0.5), key: "epoch:1")
        try store.appendEvent(job: id, event: Self.unfreeze, key: "control:cmd_0000000000000001")
        let before = try store.trainingState(job: id)
        // A resumed run repeats epoch 1: stored once, and the newer command's groups stand.
        try store.appendEvent(job: id, event: Self.epoch(1, step: 7, loss: 0.4), key: "epoch:1")
        #expect(try store.trainingState(job: id) == before)
        #expect(before?.groups.map(\.trainable) == [true, true])
        #expect(before?.latest?.trainLoss == 0.5)
    }

    @Test func untypedAppendsFoldWhenTheyDecode() throws {
        let store = try StoreFixture().store
        let id = try runningJob(store)
        try store.appendEvent(job: id, type: "epoch", payload: #"{"n":1}"#)
        #expect(try store.trainingState(job: id) == nil, "a payload no thawd wrote is only logged")
        try store.appendEvent(job: id, type: "phase", payload: try Self.phase.payloadText())
        #expect(try store.trainingState(job: id)?.phase == "head")
    }

    @Test func statusAndRunEventsLeaveNoRow() throws {
        let store = try StoreFixture().store
        let id = try runningJob(store)
        try store.appendEvent(job: id, event: .run(RunEvent(status: .started, globalEpoch: 0)))
        #expect(try store.trainingState(job: id) == nil)
        #expect(try store.rawQuery("SELECT count(*) FROM job_training_state") == [[.integer(0)]])
    }

    @Test func aFinalJobKeepsItsPositionButItsStateFollowsTheLog() throws {
        let store = try StoreFixture().store
        let id = try runningJob(store)
        try store.appendEvent(job: id, event: Self.epoch(1, step: 7, loss: 0.5))
        try store.transitionJob(id, to: .cancelled)
        try store.appendEvent(job: id, event: Self.epoch(2, step: 14, loss: 0.4))
        #expect(try store.job(id).epoch == 1, "a cancelled job's record keeps where it stopped")
        #expect(try store.trainingState(job: id)?.epoch == 2)
    }

    @Test func typedAppendsArePublished() throws {
        let store = try StoreFixture().store
        let id = try runningJob(store)
        let seen = LockedList()
        store.observeEvents { events in seen.append(events.map(\.type)) }
        try store.appendEvent(job: id, event: Self.phase)
        #expect(seen.items == [["phase"]])
    }

    @Test func unknownJobIsNotFound() throws {
        let store = try StoreFixture().store
        #expect(throws: StoreError.notFound(kind: "job", id: "job_0000000000000000")) {
            try store.trainingState(job: "job_0000000000000000")
        }
    }

    @Test func deletingTheJobDeletesItsState() throws {
        let store = try StoreFixture().store
        let id = try runningJob(store)
        try store.appendEvent(job: id, event: Self.phase)
        try store.transitionJob(id, to: .cancelled)
        try store.deleteJob(id)
        #expect(try store.rawQuery("SELECT count(*) FROM job_training_state") == [[.integer(0)]])
    }

    /// A database from before 0005: the migration folds each job's stored events, written as the old
    /// thawd wrote them (untyped text), into its row.
    @Test func migrationBackfillsTheStateFromStoredEvents() throws {
        let directory = TemporaryDirectory()
        let configuration = StoreConfiguration.dataDirectory(directory.path)
        try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
        let events = [("status", #"{"status":"queued"}"#), ("phase", try Self.phase.payloadText()),
                      ("epoch", try Self.epoch(1, step: 7, loss: 0.5).payloadText()), ("step", "3"),
                      ("control", try Self.unfreeze.payloadText()), ("epoch", #"{"garbage":true}"#)]
        do {
            let connection = try StoreConnection(configuration: configuration)
            _ = try Migration.apply(Array(Schema.migrations.prefix(4)), to: connection)
            try connection.write(
                "INSERT INTO jobs (id, status, spec, created_at) VALUES ('job_00000000000000aa', 'running', '{}', 0)")
            try connection.write(
                "INSERT INTO jobs (id, status, spec, created_at) VALUES ('job_00000000000000bb', 'queued', '{}', 0)")
            for (n, (type, payload)) in events.enumerated() {
                try connection.write("INSERT INTO job_events (job_id, id, type, payload, created_at) VALUES (?, ?, ?, ?, 0)",
                                     [.text("job_00000000000000aa"), .integer(Int64(n + 1)), .text(type), .text(payload)])
            }
            try connection.write("INSERT INTO job_events (job_id, id, type, payload, created_at) VALUES (?, 1, 'status', ?, 0)",
                                 [.text("job_00000000000000bb"), .text(#"{"status":"queued"}"#)])
        }
        let store = try Store(configuration: configuration)
        #expect(store.appliedMigrations == Schema.migrations.dropFirst(4).map(\.name))  // 0005 and every later one
        let expected = JobTrainingState().applying(Self.phase).applying(Self.epoch(1, step: 7, loss: 0.5)).applying(Self.unfreeze)
        #expect(try store.trainingState(job: "job_00000000000000aa") == expected)
        #expect(try store.rawQuery("SELECT event_id FROM job_training_state") == [[.integer(5)]])
        #expect(try store.trainingState(job: "job_00000000000000bb") == nil)
    }
}

/// Collects what a Store listener hands over (on the Store's queue).
final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [[String]] = []
    func append(_ item: [String]) { lock.withLock { stored.append(item) } }
    var items: [[String]] { lock.withLock { stored } }
}
