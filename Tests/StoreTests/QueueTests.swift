import Foundation
import Testing

@testable import Store

@Suite struct QueueTests {
    @Test(arguments: Storage.allCases)
    func claimOrderIsPriorityThenSubmission(storage: Storage) throws {
        let store = try StoreFixture(storage).store
        let low = try store.createJob(name: "low", priority: 0, spec: spec)
        let highA = try store.createJob(name: "highA", priority: 5, spec: spec)
        let mid = try store.createJob(name: "mid", priority: 1, spec: spec)
        let highB = try store.createJob(name: "highB", priority: 5, spec: spec)
        #expect(try store.claimableJobs().map(\.id) == [highA, highB, mid, low].map(\.id))
        var claimed: [String] = []
        while let job = try store.claimNextQueued() {
            #expect(job.status == .running && job.attempts == 1 && job.startedAt != nil && !job.isResume)
            claimed.append(job.id)
        }
        #expect(claimed == [highA, highB, mid, low].map(\.id))
    }

    @Test func emptyQueueClaimsNothing() throws {
        let store = try StoreFixture(.memory).store
        #expect(try store.claimNextQueued() == nil)
        let job = try store.createJob(spec: spec)
        _ = try store.transitionJob(job.id, to: .cancelled)
        #expect(try store.claimNextQueued() == nil)
    }

    @Test func restartLeavesRunningJobsRunningAndInterrupted() throws {
        let fixture = try StoreFixture()
        let running = try fixture.store.claimNextQueued(after: fixture.store.createJob(name: "r", spec: spec))
        let paused = try fixture.store.claimNextQueued(after: fixture.store.createJob(name: "p", spec: spec))
        _ = try fixture.store.transitionJob(paused.id, to: .paused)
        let queued = try fixture.store.createJob(name: "q", priority: 9, spec: spec)

        let store = try fixture.reopen()  // "after the crash"
        let recovered = try store.recoverInterruptedJobs()
        #expect(recovered.map(\.id) == [running.id, paused.id])
        #expect(recovered.map(\.status) == [.running, .paused] && recovered.allSatisfy(\.interrupted))
        #expect(try store.events(job: running.id).last?.type == "interrupted")
        #expect(try store.recoverInterruptedJobs().map(\.id) == [running.id, paused.id], "idempotent")
        #expect(try store.lastEventID(job: running.id) == 3, "no second interrupted event")

        // The interrupted running job is resumed before the higher-priority queued one.
        let first = try #require(try store.claimNextQueued())
        #expect(first.id == running.id && first.isResume && first.attempts == 2 && !first.interrupted)
        #expect(first.startedAt == running.startedAt)
        let second = try #require(try store.claimNextQueued())
        #expect(second.id == queued.id && !second.isResume)
        #expect(try store.claimNextQueued() == nil, "paused stays parked until resumed")

        let resumed = try store.transitionJob(paused.id, to: .running)
        #expect(resumed.interrupted)
        let third = try #require(try store.claimNextQueued())
        #expect(third.id == paused.id && third.isResume)
    }

    @Test func cancellingAnInterruptedJobClearsTheFlag() throws {
        let fixture = try StoreFixture()
        let job = try fixture.store.claimNextQueued(after: fixture.store.createJob(spec: spec))
        let store = try fixture.reopen()
        _ = try store.recoverInterruptedJobs()
        let cancelled = try store.transitionJob(job.id, to: .cancelled)
        #expect(!cancelled.interrupted && cancelled.finishedAt != nil)
        #expect(try store.claimNextQueued() == nil)
        #expect(try store.recoverInterruptedJobs() == [])
    }
}

/// The claiming node (`thawd --node-id`) is recorded on the job, on either backend.
@Suite struct ClaimNodeTests {
    @Test(arguments: Storage.allCases)
    func aClaimRecordsItsNodeAndTheNextClaimReplacesIt(storage: Storage) throws {
        let fixture = try StoreFixture(storage)
        let store = fixture.store
        let job = try store.createJob(spec: spec)
        #expect(try store.job(job.id).node == nil)
        #expect(try store.claimNextQueued(node: "node-a")?.node == "node-a")
        try store.releaseJob(job.id)
        #expect(try (storage == .memory ? store : fixture.reopen()).job(job.id).node == "node-a")  // stored, not cached
        #expect(try store.claimNextQueued(node: "node-b")?.node == "node-b")
        #expect(try store.jobSnapshot(job.id).job.node == "node-b")
    }

    @Test func aNodeNameOutOfRangeIsRefusedAndClaimsNothing() throws {
        let store = try StoreFixture().store
        let job = try store.createJob(spec: spec)
        #expect(throws: StoreError.invalidArgument(field: "node", reason: "must be 1 to 255 characters")) {
            try store.claimNextQueued(node: "")
        }
        #expect(throws: StoreError.self) { try store.claimNextQueued(node: String(repeating: "n", count: 256)) }
        #expect(try store.job(job.id).status == .queued)
    }
}
