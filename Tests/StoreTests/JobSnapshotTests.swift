import Foundation
import JobAPI
import Testing

@testable import Store

/// `jobSnapshot` / `jobSnapshots`: the job row and its training-state row in one read, the same
/// record and state the separate reads give, versioned by the state's event id.
@Suite struct JobSnapshotTests {
    @Test(arguments: Storage.allCases)
    func aSnapshotIsTheJobAndItsStateInOneRead(storage: Storage) throws {
        let fixture = try StoreFixture(storage)  // kept: the readers open the files again
        let store = fixture.store
        let job = try store.createJob(name: "snap", spec: spec)
        var snapshot = try store.jobSnapshot(job.id)
        #expect(snapshot.job == job)
        #expect(snapshot.trainingState == nil && snapshot.trainingStateEventID == nil)
        #expect(try snapshot.decodedTrainingState() == nil)
        _ = try store.claimNextQueued()
        let phase = try store.appendEvent(job: job.id, event: TrainingStateTests.phase)
        snapshot = try store.jobSnapshot(job.id)
        #expect(snapshot.job == (try store.job(job.id)))
        #expect(try snapshot.decodedTrainingState() == (try store.trainingState(job: job.id)))
        #expect(snapshot.trainingStateEventID == phase.id)
        // Events that change no state keep its version; those that do move it.
        try store.appendEvent(job: job.id, type: "advice", payload: #"{"code":"x","global_epoch":0,"message":"m"}"#)
        #expect(try store.jobSnapshot(job.id).trainingStateEventID == phase.id)
        let epoch = try store.appendEvent(job: job.id, event: TrainingStateTests.epoch(1, step: 5, loss: 0.5))
        snapshot = try store.jobSnapshot(job.id)
        #expect(snapshot.trainingStateEventID == epoch.id)
        #expect(snapshot.job.epoch == 1 && snapshot.job.step == 5)
        #expect(try snapshot.decodedTrainingState()?.latest?.trainLoss == 0.5)
    }

    /// A snapshot is read on a reader connection: it returns while the Store's queue is held (as a
    /// worker's commit holds it), and it sees what was committed before.
    @Test func aSnapshotDoesNotWaitForTheStoresQueue() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let job = try store.createJob(spec: spec)
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            store.queue.sync {
                holding.signal()
                release.wait()
            }
        }
        holding.wait()
        let read = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var seen: JobSnapshot?
        DispatchQueue.global().async {
            seen = try? store.jobSnapshot(job.id)
            read.signal()
        }
        let answered = read.wait(timeout: .now() + 60) == .success
        release.signal()
        if !answered { read.wait() }
        #expect(answered, "the read waited for the queue")
        #expect(seen?.job == job)
    }

    @Test func anUnknownJobIsNotFound() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        for _ in 0..<2 {  // the kept statement is reset after the miss too
            #expect(throws: StoreError.notFound(kind: "job", id: "job_0000000000000000")) {
                try store.jobSnapshot("job_0000000000000000")
            }
        }
    }

    @Test func snapshotsPageAsJobsDo() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        var ids: [String] = []
        for _ in 0..<5 { ids.append(try store.createJob(spec: spec).id) }
        _ = try store.claimNextQueued()
        try store.appendEvent(job: ids[0], event: TrainingStateTests.phase)
        for (status, page) in [(nil, PageRequest(limit: 2)), (JobStatus.queued, PageRequest(after: ids[3], limit: 2)),
                               (JobStatus.running, PageRequest())] as [(JobStatus?, PageRequest)] {
            let jobs = try store.jobs(status: status, page: page)
            let snapshots = try store.jobSnapshots(status: status, page: page)
            #expect(snapshots.data.map(\.job) == jobs.data && snapshots.hasMore == jobs.hasMore)
            for snapshot in snapshots.data {
                #expect(try snapshot.decodedTrainingState() == (try store.trainingState(job: snapshot.job.id)))
            }
        }
        #expect(throws: StoreError.notFound(kind: "job", id: "job_0000000000000000")) {
            try store.jobSnapshots(page: PageRequest(after: "job_0000000000000000"))
        }
    }
}
