@testable import Daemon
import Foundation
import Testing

@Suite struct EventHubTests {
    final class Collector: @unchecked Sendable {
        let lock = NSLock()
        var events: [JobEvent] = []
        func add(_ e: JobEvent) { lock.withLock { events.append(e) } }
        var ids: [Int64] { lock.withLock { events.map(\.id) } }
    }

    @Test func deliversOnlyTheSubscribedJobsEvents() {
        let hub = EventHub()
        let a = Collector(), b = Collector()
        let subA = hub.subscribe(jobID: "job_a") { a.add($0) }
        let subB = hub.subscribe(jobID: "job_b") { b.add($0) }
        hub.publish(JobEvent(jobID: "job_a", id: 1, type: "epoch", data: "{}"))
        hub.publish(JobEvent(jobID: "job_b", id: 1, type: "epoch", data: "{}"))
        hub.publish(JobEvent(jobID: "job_a", id: 2, type: "epoch", data: "{}"))
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
        hub.publish(JobEvent(jobID: "job_a", id: 1, type: "epoch", data: "{}"))
        #expect(a.ids.isEmpty)
        #expect(hub.subscriberCount(jobID: "job_a") == 0)
    }

    @Test func concurrentPublishersAndSubscribersDoNotLoseEvents() {
        let hub = EventHub()
        let a = Collector()
        let sub = hub.subscribe(jobID: "job_a") { a.add($0) }
        DispatchQueue.concurrentPerform(iterations: 200) { i in
            hub.publish(JobEvent(jobID: "job_a", id: Int64(i), type: "epoch", data: "{}"))
            let extra = hub.subscribe(jobID: "job_a") { _ in }
            extra.cancel()
        }
        #expect(Set(a.ids) == Set((0..<200).map(Int64.init)))
        sub.cancel()
    }
}
