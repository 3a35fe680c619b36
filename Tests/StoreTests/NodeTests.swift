import Foundation
import Testing

@testable import Store

/// Node heartbeats (`GET /v1/nodes`), on either backend.
@Suite struct NodeTests {
    @Test(arguments: Storage.allCases)
    func beatsUpsertAndRunningJobsAreThoseTheNodeHolds(storage: Storage) throws {
        let clock = Clock()
        var fixture = try StoreFixture(storage)
        if storage != .postgres {  // a pinned clock: the timestamps below are exact
            let configuration = storage == .file
                ? StoreConfiguration(databasePath: fixture.directory.file("thaw.sqlite"), artifactsDirectory: fixture.directory.file("artifacts"), synchronous: .normal, clock: clock.now)
                : StoreConfiguration(databasePath: ":memory:", artifactsDirectory: fixture.directory.file("artifacts"), clock: clock.now)
            fixture = try StoreFixture(replacing: fixture, with: Store(configuration: configuration))
        }
        let store = fixture.store
        #expect(try store.nodes().isEmpty)
        try store.heartbeat(node: "b", workers: 2, starting: true)
        try store.heartbeat(node: "a", workers: 1, starting: true)
        clock.advance(5)
        try store.heartbeat(node: "b", workers: 3)
        let first = try store.createJob(spec: spec)
        let second = try store.createJob(spec: spec)
        #expect(try store.claimNextQueued(node: "b")?.id == first.id)
        #expect(try store.claimNextQueued(node: "b")?.id == second.id)
        try store.releaseJob(second.id)  // interrupted: no longer held by b
        let nodes = try store.nodes()
        #expect(nodes.map(\.id) == ["a", "b"])
        #expect(nodes[1].workers == 3 && nodes[1].runningJobs == [first.id])
        #expect(nodes[0].runningJobs.isEmpty)
        #expect(nodes[1].heartbeatAt >= nodes[1].startedAt)
        if storage != .postgres {
            #expect(nodes[1].heartbeatAt.timeIntervalSince(nodes[1].startedAt) == 5)
            #expect(nodes[0].heartbeatAt == nodes[0].startedAt)
        }
        clock.advance(5)
        try store.heartbeat(node: "b", workers: 3, starting: true)  // a restart resets started_at
        let restarted = try #require(store.nodes().last)
        #expect(restarted.startedAt == restarted.heartbeatAt)
    }

    @Test func aBadNodeOrWorkerCountIsRefusedAndWritesNothing() throws {
        let store = try StoreFixture().store
        #expect(throws: StoreError.invalidArgument(field: "node", reason: "must be 1 to 255 characters")) {
            try store.heartbeat(node: "", workers: 1)
        }
        #expect(throws: StoreError.invalidArgument(field: "workers", reason: "must be >= 0")) {
            try store.heartbeat(node: "a", workers: -1)
        }
        #expect(try store.nodes().isEmpty)
    }
}

/// A settable clock for stores whose timestamps a test pins.
final class Clock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_800_000_000)
    var now: @Sendable () -> Date { { [self] in lock.withLock { current } } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}
