@testable import Daemon
import Foundation
import Store
import Testing

@Suite struct EventHubTests {
    final class Collector: @unchecked Sendable {
        let lock = NSLock()
        var events: [EventRecord] = []
        func add(_ e: EventRecord) { lock.withLock { events.append(e) } }
        var ids: [Int] { lock.withLock { events.map(\.id) } }
    }

    @Test func deliversOnlyTheSubscribedJobsEvents() {
        let hub = EventHub()
        let a = Collector(), b = Collector()
        let subA = hub.subscribe(jobID: "job_a") { a.add($0) }
        let subB = hub.subscribe(jobID: "job_b") { b.add($0) }
        hub.publish(EventRecord(jobID: "job_a", id: 1, type: "epoch", payload: "{}", createdAt: Date()))
        hub.publish(EventRecord(jobID: "job_b", id: 1, type: "epoch", payload: "{}", createdAt: Date()))
        hub.publish(EventRecord(jobID: "job_a", id: 2, type: "epoch", payload: "{}", createdAt: Date()))
        #expect(a.ids == [1, 2])
        #expect(b.ids == [1])
        subA.cancel()
        subB.cancel()
    }

    @Test func cancelledSubscriptionsStopReceivingAndAreForgotten() {
        let hub = EventHub()
        let a = Collector()
        let sub = hub.subscribe(jobID: "job_a") { a.add($0) }
        #expect(hub.subscriberCount(jobID: "job_a") == 1)
        sub.cancel()
        hub.publish(EventRecord(jobID: "job_a", id: 1, type: "epoch", payload: "{}", createdAt: Date()))
        #expect(a.ids.isEmpty)
        #expect(hub.subscriberCount(jobID: "job_a") == 0)
    }

    @Test func concurrentPublishersAndSubscribersDoNotLoseEvents() {
        let hub = EventHub()
        let a = Collector()
        let sub = hub.subscribe(jobID: "job_a") { a.add($0) }
        DispatchQueue.concurrentPerform(iterations: 200) { i in
            hub.publish(EventRecord(jobID: "job_a", id: i, type: "epoch", payload: "{}", createdAt: Date()))
            let extra = hub.subscribe(jobID: "job_a") { _ in }
            extra.cancel()
        }
        #expect(Set(a.ids) == Set((0..<200)))
        sub.cancel()
    }
}
