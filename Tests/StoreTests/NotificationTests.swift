import Foundation
import JobAPI
import Testing

@testable import Store

/// The Store's wake-ups (Store+Notifications.swift): on PostgreSQL every commit that appends events,
/// posts a command or makes a job claimable NOTIFYs, in the commit's own transaction, and a listener
/// on another Store of the same schema (another node) gets it; a write that rolls back notifies
/// nothing; another schema's listener hears nothing. On SQLite there is no listener, and commands
/// reach in-process observers.
@Suite struct NotificationTests {
    final class Received: @unchecked Sendable {
        private let condition = NSCondition()
        private var stored: [StoreNotification] = []

        func append(_ notification: StoreNotification) {
            condition.lock()
            stored.append(notification)
            condition.broadcast()
            condition.unlock()
        }

        var all: [StoreNotification] { condition.lock(); defer { condition.unlock() }; return stored }

        /// Waits until `expected` has arrived (in any order, among others); false after `timeout`.
        func wait(for expected: [StoreNotification], timeout: Double = 10) -> Bool {
            wait(timeout: timeout) { stored in expected.allSatisfy(stored.contains) }
        }

        func wait(timeout: Double = 10, until done: ([StoreNotification]) -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            condition.lock()
            defer { condition.unlock() }
            while !done(stored) {
                if !condition.wait(until: deadline) { return false }
            }
            return true
        }
    }

    /// A listener on `store`, started and connected (a marker NOTIFY has come back through it).
    private func listening(_ store: Store, _ received: Received) throws -> StoreListener {
        let listener = try #require(try store.makeListener(onNotification: { received.append($0) }))
        listener.start()
        // LISTEN runs on the listener's thread: wait until it hears a notification of its schema.
        let deadline = Date().addingTimeInterval(10)
        let marker = "job_marker\(UUID().uuidString.prefix(8))"
        while Date() < deadline {
            try store.sync { $0.notify(.events(job: marker)) }
            if received.wait(for: [.events(job: marker)], timeout: 0.2) { return listener }
        }
        Issue.record("the listener never heard its own schema")
        return listener
    }

    @Test(.enabled(if: TestBackend.isPostgres, "PostgreSQL only"))
    func anotherNodesCommitsReachTheListenerAndRollbacksDoNot() throws {
        let fixture = try StoreFixture(.postgres)
        let other = try fixture.reopen()  // another node on the same schema
        let received = Received()
        let listener = try listening(fixture.store, received)
        defer { listener.stop() }

        let job = try other.createJob(spec: spec)
        #expect(received.wait(for: [.claimable(job: job.id), .events(job: job.id)]), "submission: \(received.all)")
        let claimed = try #require(try other.claimNextQueued(node: "b"))
        let lease = try #require(claimed.lease)
        try other.appendEvent(job: job.id, type: "note", payload: "{}", lease: lease)
        _ = try other.postCommand(job: job.id, type: "pause")
        #expect(received.wait(for: [.command(job: job.id)]), "command: \(received.all)")

        // A fenced write refused (a stale lease) rolls back: no notification. A committed marker after
        // it arrives first (commit order), so the refused one was never sent.
        let stale = Lease(job: job.id, node: "b", token: "0000000000000000")
        #expect(throws: StoreError.self) { try other.appendEvent(job: job.id, type: "late", payload: "{}", lease: stale) }
        let second = try other.createJob(spec: spec)
        #expect(received.wait(for: [.claimable(job: second.id)]))
        // Released while running: claimable again, for any node (its second such notification).
        try other.releaseJob(job.id, lease: lease)
        #expect(received.wait { $0.filter { $0 == .claimable(job: job.id) }.count == 2 }, "\(received.all)")
        // Every notification of the committed writes came, and nothing else of this schema.
        let kinds = Set(received.all.map { notification -> String in
            switch notification {
            case .events(let id), .command(let id), .claimable(let id): id
            case .resync: "resync"
            }
        })
        #expect(kinds.subtracting([job.id, second.id]).allSatisfy { $0.hasPrefix("job_marker") }, "\(kinds)")
    }

    @Test(.enabled(if: TestBackend.isPostgres, "PostgreSQL only"))
    func anotherSchemasCommitsWakeNoOne() throws {
        let mine = try StoreFixture(.postgres)
        let theirs = try StoreFixture(.postgres)
        let received = Received()
        let listener = try listening(mine.store, received)
        defer { listener.stop() }
        let foreign = try theirs.store.createJob(spec: spec)
        let own = try mine.reopen().createJob(spec: spec)
        #expect(received.wait(for: [.claimable(job: own.id)]))
        #expect(!received.all.contains(.claimable(job: foreign.id)) && !received.all.contains(.events(job: foreign.id)))
    }

    @Test(arguments: Storage.allCases)
    func commandsReachInProcessObserversAfterTheirCommit(storage: Storage) throws {
        let fixture = try StoreFixture(storage)
        if storage != .postgres { #expect(try fixture.store.makeListener(onNotification: { _ in }) == nil) }
        let posted = Received()
        fixture.store.observeCommands { posted.append(.command(job: $0)) }
        let job = try fixture.store.createJob(spec: spec)
        _ = try fixture.store.postCommand(job: job.id, type: "cancel")
        #expect(posted.all == [.command(job: job.id)])
        try fixture.store.transitionJob(job.id, to: .cancelled, result: nil)
        #expect(throws: StoreError.self) { try fixture.store.postCommand(job: job.id, type: "cancel") }
        #expect(posted.all == [.command(job: job.id)], "a refused post tells no one")
    }
}
