import Foundation
import JobAPI
import Testing

@testable import Store

/// `Store.writeVersion`: moved by every committed write, by no read, and only after the COMMIT, so
/// a value read before a read proves, while unchanged, that the rows read are still the rows.
@Suite struct WriteVersionTests {
    @Test(arguments: Storage.allCases)
    func everyCommittedWriteMovesItAndNoReadDoes(storage: Storage) throws {
        let fixture = try StoreFixture(storage)
        let store = fixture.store
        var version = store.writeVersion
        func moved(_ what: String) {
            #expect(store.writeVersion > version, "\(what) moves the version")
            version = store.writeVersion
        }
        func unmoved(_ what: String) { #expect(store.writeVersion == version, "\(what) does not move the version") }

        let job = try store.createJob(name: "v", spec: spec)
        moved("createJob")
        _ = try store.job(job.id)
        _ = try store.jobSnapshot(job.id)
        _ = try store.jobs()
        _ = try store.jobSnapshots()
        _ = try store.events(job: job.id)
        _ = try store.trainingState(job: job.id)
        unmoved("reading the job, its snapshot, the list, the events and the state")
        _ = try store.claimNextQueued()
        moved("claimNextQueued")
        try store.appendEvent(job: job.id, event: TrainingStateTests.phase)
        moved("a training event")
        try store.appendEvent(job: job.id, type: "advice", payload: #"{"code":"x","global_epoch":0,"message":"m"}"#)
        moved("an event that changes no state")
        _ = try store.updateProgress(job.id, step: 3)
        moved("updateProgress")
        try store.transitionJob(job.id, to: .succeeded, result: #"{"epochs":1}"#)
        moved("a transition to a final status")
        _ = try store.jobSnapshot(job.id)
        unmoved("reading the finished job")
        try store.deleteJob(job.id)
        moved("deleteJob")
    }

    /// Inside a write transaction the version still has its old value, and a reader connection
    /// still sees the old rows: a poll that reads the old version cannot have read newer rows than it
    /// describes. After the COMMIT the version has moved.
    @Test func itMovesAfterTheCommitNotBefore() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let job = try store.createJob(name: "before", spec: spec)
        let before = store.writeVersion
        try store.sync { connection in
            try connection.transaction {
                try connection.write("UPDATE jobs SET name = ? WHERE id = ?", [.text("after"), .text(job.id)])
                #expect(store.writeVersion == before, "not moved before the COMMIT")
                // A reader connection (not the Store's queue, which this thread holds).
                #expect(try store.jobSnapshot(job.id).job.name == "before")
            }
        }
        #expect(store.writeVersion > before)
        #expect(try store.jobSnapshot(job.id).job.name == "after")
    }

    /// A write that fails (an injected fault rolls its transaction back) leaves the rows as they were;
    /// the version may move (a needless re-read), but a later successful write always moves it.
    @Test func aFailedWriteChangesNoRowsAndTheNextWriteMovesTheVersion() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let job = try store.createJob(name: "kept", spec: spec)
        store.failWrite(at: 1)
        #expect(throws: StoreError.self) { try store.createJob(name: "lost", spec: spec) }
        #expect(try store.jobs().data.map(\.id) == [job.id])
        let after = store.writeVersion
        _ = try store.claimNextQueued()
        #expect(store.writeVersion > after)
    }
}
