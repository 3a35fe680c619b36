import Foundation
import Testing

@testable import Store

/// `observeEvents`: every committed event, once, in commit order, from every path that appends
/// (the Store's own status events too), and nothing a rolled-back transaction appended.
@Suite struct EventFeedTests {
    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var batches: [[EventRecord]] = []
        func add(_ events: [EventRecord]) { lock.withLock { batches.append(events) } }
        var all: [[EventRecord]] { lock.withLock { batches } }
    }

    @Test(arguments: Storage.allCases) func listenersGetEachCommitsEventsInOrder(_ storage: Storage) throws {
        let store = try StoreFixture(storage).store
        let collected = Collected()
        store.observeEvents { collected.add($0) }
        let job = try store.createJob(spec: spec)
        try store.appendEvent(job: job.id, type: "epoch", payload: #"{"n":1}"#)
        _ = try store.claimNextQueued()
        try store.transitionJob(job.id, to: .succeeded)

        let batches = collected.all
        #expect(batches.map { $0.map(\.id) } == [[1], [2], [3], [4]])
        #expect(batches.flatMap { $0 }.map(\.type) == ["status", "epoch", "status", "status"])
        #expect(batches.flatMap { $0 } == (try store.events(job: job.id)))
    }

    @Test func aRolledBackAppendIsNotPublished() throws {
        let store = try StoreFixture(.file).store
        let job = try store.createJob(spec: spec)
        let collected = Collected()
        store.observeEvents { collected.add($0) }
        store.failWrite(at: 2)  // the insert succeeds, the COMMIT fails
        #expect(throws: StoreError.self) { try store.appendEvent(job: job.id, type: "epoch", payload: "{}") }
        #expect(collected.all.isEmpty)
        let next = try store.appendEvent(job: job.id, type: "epoch", payload: "{}")
        #expect(next.id == 2)
        #expect(collected.all.map { $0.map(\.id) } == [[2]])
    }

    @Test func oneCommitThatTouchesSeveralJobsIsOneBatch() throws {
        let fixture = try StoreFixture(.file)
        let a = try fixture.store.createJob(spec: spec)
        let b = try fixture.store.createJob(spec: spec)
        _ = try fixture.store.claimNextQueued()
        _ = try fixture.store.claimNextQueued()
        let reopened = try fixture.reopen()
        let collected = Collected()
        reopened.observeEvents { collected.add($0) }
        _ = try reopened.recoverInterruptedJobs()
        #expect(collected.all.count == 1)
        #expect(collected.all.first?.map(\.jobID) == [a.id, b.id])
        #expect(collected.all.first?.map(\.type) == ["interrupted", "interrupted"])
    }
}
