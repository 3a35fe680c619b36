import Foundation
import Testing

@testable import Store

/// Several threads hammering one Store: the serial queue must make every call atomic.
@Suite struct ConcurrencyTests {
    /// Runs `body(thread)` on `count` real threads at once and waits for all.
    private func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread {
                body(index)
                group.leave()
            }.start()
        }
        group.wait()
    }

    @Test func concurrentWritersLoseNothing() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let failures = Counter()
        onThreads(8) { thread in
            for index in 0..<15 {
                do {
                    let job = try store.createJob(name: "t\(thread)-\(index)", spec: spec)
                    for step in 0..<3 {
                        try store.appendEvent(job: job.id, type: "step", payload: "\(step)")
                    }
                    _ = try store.postCommand(job: job.id, type: "pause")
                } catch {
                    failures.add()
                }
            }
        }
        #expect(failures.value == 0)
        let reopened = try fixture.reopen()
        var all: [JobRecord] = []
        var request = PageRequest(limit: 100)
        while true {
            let page = try reopened.jobs(page: request)
            all += page.data
            guard let next = page.nextCursor(\.id) else { break }
            request.after = next
        }
        #expect(all.count == 120 && Set(all.map(\.id)).count == 120)
        for job in all {
            #expect(try reopened.events(job: job.id).map(\.id) == [1, 2, 3, 4])
        }
    }

    @Test func concurrentClaimersNeverShareAJob() throws {
        let store = try StoreFixture().store
        let ids = try (0..<60).map { try store.createJob(priority: $0 % 3, spec: spec).id }
        let claimed = Collector()
        onThreads(6) { _ in
            while let job = try? store.claimNextQueued() { claimed.add(job.id) }
        }
        #expect(claimed.values.count == 60)
        #expect(Set(claimed.values) == Set(ids))
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) { lock.withLock { items.append(item) } }
    var values: [String] { lock.withLock { items } }
}
