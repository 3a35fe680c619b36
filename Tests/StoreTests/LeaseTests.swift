import Foundation
import JobAPI
import Testing

@testable import Store

/// Leases and fencing (Store+Leases.swift), on either backend: a claim's lease, its renewal and
/// expiry, the sweep that takes an expired job back, and every worker write refused once its lease
/// is gone, with nothing changed.
@Suite struct LeaseTests {
    /// A Store on a fresh database of `storage` with the lease timeout and a pinned clock.
    private func leasedStore(_ storage: Storage, clock: Clock, timeout: TimeInterval = 30) throws -> (Store, TemporaryDirectory) {
        let directory = TemporaryDirectory()
        var configuration: StoreConfiguration
        switch storage {
        case .file: configuration = .dataDirectory(directory.path, synchronous: .normal)
        case .memory: configuration = StoreConfiguration(databasePath: ":memory:", artifactsDirectory: directory.file("artifacts"))
        case .postgres: configuration = .postgres(uri: try TestBackend.freshPostgresURI(), dataDirectory: directory.path, synchronous: .normal)
        }
        configuration.clock = clock.now
        configuration.leaseTimeout = timeout
        return (try Store(configuration: configuration), directory)
    }

    private func isLeaseLost(_ error: any Error, _ job: String) -> Bool { (error as? StoreError) == .leaseLost(job: job) }

    @Test(arguments: Storage.allCases)
    func aClaimTakesALeaseThatRenewalsMoveAndTheClaimEventCarries(storage: Storage) throws {
        let clock = Clock()
        let (store, _) = try leasedStore(storage, clock: clock)
        let job = try store.createJob(spec: spec)
        let claimed = try #require(try store.claimNextQueued(node: "a"))
        let lease = try #require(claimed.lease)
        #expect(lease.job == job.id && lease.node == "a" && lease.token.count >= 16)
        #expect(claimed.leaseExpiresAt == clock.now().addingTimeInterval(30))
        clock.advance(10)
        try store.renewLease(lease)
        #expect(try store.job(job.id).leaseExpiresAt == clock.now().addingTimeInterval(30))
        let stamped = try store.rawQuery("SELECT node, lease FROM job_events WHERE job_id = '\(job.id)' ORDER BY id")
        #expect(stamped == [[.null, .null], [.text("a"), .text(lease.token)]], "the submission is no worker's; the claim is a's")
        try store.appendEvent(job: job.id, type: "note", payload: "{}", lease: lease)
        #expect(try store.rawQuery("SELECT node, lease FROM job_events WHERE job_id = '\(job.id)' AND type = 'note'")
                == [[.text("a"), .text(lease.token)]])
        // A final status ends the lease: the worker's later writes are refused.
        try store.transitionJob(job.id, to: .succeeded, result: "{}", lease: lease)
        #expect(try store.job(job.id).leaseToken == nil)
        #expect { try store.renewLease(lease) } throws: { isLeaseLost($0, job.id) }
    }

    @Test(arguments: Storage.allCases)
    func anExpiredLeaseIsTakenBackAndTheJobResumesElsewhereWithItsCrashCounted(storage: Storage) throws {
        let clock = Clock()
        let (store, _) = try leasedStore(storage, clock: clock)
        let job = try store.createJob(spec: spec)
        let kept = try store.createJob(spec: spec)
        let first = try #require(try store.claimNextQueued(node: "a")?.lease)
        let live = try #require(try store.claimNextQueued(node: "b")?.lease)
        #expect(live.job == kept.id)
        clock.advance(20)
        try store.renewLease(live)
        #expect(try store.requeueExpiredLeases(failingAfter: 3).interrupted.isEmpty, "20 s < 30 s: nothing expired")
        clock.advance(11)  // a's lease is 31 s old; b's was renewed 11 s ago
        let recovery = try store.requeueExpiredLeases(failingAfter: 3)
        #expect(recovery.interrupted.map(\.id) == [job.id] && recovery.failed.isEmpty)
        let taken = try store.job(job.id)
        #expect(taken.status == .running && taken.interrupted && taken.crashes == 1 && taken.leaseToken == nil)
        #expect(try store.job(kept.id).leaseToken == live.token)
        let last = try #require(try store.events(job: job.id).last)
        #expect(last.type == "interrupted" && last.payload.contains("lease_expired"))
        #expect(try store.requeueExpiredLeases(failingAfter: 3).interrupted.isEmpty, "taken once")
        // Another node claims it: a resume, with a new lease; a's writes stay refused.
        let resumed = try #require(try store.claimNextQueued(node: "c"))
        #expect(resumed.id == job.id && resumed.attempts == 2 && resumed.isResume && resumed.node == "c")
        #expect(resumed.leaseToken != first.token)
        #expect { try store.appendEvent(job: job.id, type: "note", payload: "{}", lease: first) } throws: { isLeaseLost($0, job.id) }
        try store.appendEvent(job: job.id, type: "note", payload: "{}", lease: resumed.lease)
    }

    @Test(arguments: Storage.allCases)
    func aJobWhoseLeasesKeepExpiringFailsAtMaxAttempts(storage: Storage) throws {
        let clock = Clock()
        let (store, _) = try leasedStore(storage, clock: clock)
        let job = try store.createJob(spec: spec)
        for round in 1...2 {
            #expect(try store.claimNextQueued(node: "n\(round)")?.id == job.id)
            clock.advance(31)
            let recovery = try store.requeueExpiredLeases(failingAfter: 2)
            #expect(recovery.failed.map(\.id) == (round == 2 ? [job.id] : []))
        }
        let failed = try store.job(job.id)
        #expect(failed.status == .failed && failed.failure?.code == FailureCode.crashedRepeatedly.rawValue && failed.crashes == 2)
    }

    /// Every write a worker makes, with a lease that is no longer the job's: each refused with
    /// `leaseLost`, and the job's rows, events, metrics, checkpoints and commands exactly as before.
    @Test(arguments: Storage.allCases)
    func aStaleLeasesWritesAreAllRefusedAndChangeNothing(storage: Storage) throws {
        let clock = Clock()
        let (store, directory) = try leasedStore(storage, clock: clock)
        let job = try store.createJob(spec: spec)
        let stale = try #require(try store.claimNextQueued(node: "a")?.lease)
        try store.recordMetrics(job: job.id, phase: "head", epoch: 1, values: #"{"loss":1}"#, lease: stale)
        try store.addCheckpoint(job: job.id, kind: .epoch, epoch: 1, source: .bytes([1, 2, 3]), lease: stale)
        let command = try store.postCommand(job: job.id, type: "pause", payload: "{}")
        clock.advance(31)
        _ = try store.requeueExpiredLeases(failingAfter: 3)
        let holder = try #require(try store.claimNextQueued(node: "b"))
        let before = try snapshot(store, job.id)
        let files = try FileManager.default.subpathsOfDirectory(atPath: directory.file("artifacts")).sorted()
        let writes: [(String, () throws -> Void)] = [
            ("event", { try store.appendEvent(job: job.id, event: .run(RunEvent(status: .started, globalEpoch: 1)), key: "x", lease: stale) }),
            ("raw event", { try store.appendEvent(job: job.id, type: "note", payload: "{}", lease: stale) }),
            ("metrics", { try store.recordMetrics(job: job.id, phase: "head", epoch: 2, values: #"{"loss":0.5}"#, lease: stale) }),
            ("checkpoint", { try store.addCheckpoint(job: job.id, kind: .epoch, epoch: 2, source: .bytes([4, 5]), lease: stale) }),
            ("prune", { try store.pruneEpochCheckpoints(job: job.id, keepLast: 1, lease: stale) }),
            ("progress", { _ = try store.updateProgress(job.id, epoch: 7, lease: stale) }),
            ("command", { try store.resolveCommand(command.id, as: .applied, lease: stale) }),
            ("status", { try store.transitionJob(job.id, to: .succeeded, result: "{}", lease: stale) }),
            ("release", { try store.releaseJob(job.id, lease: stale) }),
            ("park", { try store.parkJob(job.id, failure: JobFailure(code: "disk_full", message: "x"), lease: stale) }),
            ("renew", { try store.renewLease(stale) }),
        ]
        for (name, write) in writes {
            #expect(throws: StoreError.leaseLost(job: job.id), "\(name)") { try write() }
        }
        #expect(try snapshot(store, job.id) == before)
        #expect(try FileManager.default.subpathsOfDirectory(atPath: directory.file("artifacts")).sorted() == files,
                "a refused checkpoint leaves no file")
        #expect(try store.job(job.id).leaseToken == holder.leaseToken)
        #expect(!store.isInTransaction)
    }

    @Test(arguments: Storage.allCases)
    func startUpRecoveryForOneNodeLeavesOtherNodesJobsToTheirLeases(storage: Storage) throws {
        let clock = Clock()
        let (store, _) = try leasedStore(storage, clock: clock)
        let mine = try store.createJob(spec: spec)
        let theirs = try store.createJob(spec: spec)
        _ = try store.claimNextQueued(node: "a")
        let other = try #require(try store.claimNextQueued(node: "b")?.lease)
        let recovery = try store.recoverInterruptedJobs(failingAfter: 3, node: "a")
        #expect(recovery.interrupted.map(\.id) == [mine.id])
        #expect(try store.job(mine.id).leaseToken == nil)
        #expect(try !store.job(theirs.id).interrupted)
        try store.renewLease(other)
        // Without a node (one node, SQLite), every held job is recovered, as before leases.
        #expect(try store.recoverInterruptedJobs(failingAfter: 3).interrupted.map(\.id).sorted() == [mine.id, theirs.id].sorted())
    }

    /// Everything a refused write could have touched.
    private func snapshot(_ store: Store, _ job: String) throws -> [String] {
        let record = try store.job(job)
        return [
            "\(record.status) \(record.epoch ?? -1) \(record.interrupted) \(record.attempts) \(record.crashes) \(record.leaseToken ?? "")",
            try store.events(job: job).map { "\($0.id) \($0.type) \($0.payload)" }.joined(separator: "|"),
            try store.metrics(job: job).map { "\($0.epoch) \($0.values)" }.joined(separator: "|"),
            try store.checkpoints(job: job).map { "\($0.id) \($0.epoch)" }.joined(separator: "|"),
            try store.commands(job: job).data.map { "\($0.id) \($0.status)" }.joined(separator: "|"),
        ]
    }
}
