import Foundation
import Testing

@testable import Store

@Suite struct EventTests {
    @Test(arguments: Storage.allCases)
    func idsArePerJobAndGapFree(storage: Storage) throws {
        let store = try StoreFixture(storage).store
        let a = try store.createJob(spec: spec)
        let b = try store.createJob(spec: spec)
        for epoch in 1...3 {
            try store.appendEvent(job: a.id, type: "epoch", payload: #"{"epoch":\#(epoch)}"#)
        }
        let appended = try store.appendEvent(job: b.id, type: "epoch", payload: #"{"epoch":1}"#)
        #expect(appended.id == 2)
        #expect(try store.events(job: a.id).map(\.id) == [1, 2, 3, 4])
        #expect(try store.events(job: b.id).map(\.id) == [1, 2])
    }

    @Test func afterResumesFromLastEventID() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.createJob(spec: spec)
        for step in 1...5 { try store.appendEvent(job: job.id, type: "step", payload: "\(step)") }
        #expect(try store.events(job: job.id, after: 4).map(\.payload) == ["4", "5"])
        #expect(try store.events(job: job.id, after: 6).isEmpty)
        #expect(try store.events(job: job.id, after: 1, limit: 2).map(\.id) == [2, 3])
    }

    @Test func eventsOfUnknownJobIsNotFound() throws {
        #expect(throws: StoreError.notFound(kind: "job", id: "job_1")) {
            try StoreFixture(.memory).store.events(job: "job_1")
        }
    }

    @Test func appendToUnknownJobIsNotFound() throws {
        #expect(throws: StoreError.notFound(kind: "job", id: "job_1")) {
            try StoreFixture(.memory).store.appendEvent(job: "job_1", type: "x", payload: "{}")
        }
    }

    @Test func payloadThatIsNotJSONIsRefused() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.createJob(spec: spec)
        #expect(throws: StoreError.invalidArgument(field: "payload", reason: "not valid JSON")) {
            try store.appendEvent(job: job.id, type: "epoch", payload: "{'epoch': 1}")
        }
        #expect(try store.lastEventID(job: job.id) == 1)
    }

    @Test func emptyTypeIsRefused() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.createJob(spec: spec)
        #expect(throws: StoreError.invalidArgument(field: "type", reason: "must be 1 to 64 characters")) {
            try store.appendEvent(job: job.id, type: "", payload: "{}")
        }
    }

    @Test func negativeAfterIsRefused() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.createJob(spec: spec)
        #expect(throws: StoreError.invalidArgument(field: "after", reason: "must be >= 0, got -1")) {
            try store.events(job: job.id, after: -1)
        }
    }

    @Test func waiterWakesWhenAnotherThreadAppends() async throws {
        let store = try StoreFixture(.memory).store
        let job = try store.createJob(spec: spec)
        let appender = Thread {
            Thread.sleep(forTimeInterval: 0.05)
            _ = try? store.appendEvent(job: job.id, type: "epoch", payload: "{}")
        }
        appender.start()
        let started = Date()
        let events = try store.waitForEvents(job: job.id, after: 1, timeout: 60)
        #expect(events.map(\.id) == [2])
        #expect(Date().timeIntervalSince(started) < 30, "woken by the append, not by the timeout")
    }

    @Test func waiterTimesOutEmpty() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.createJob(spec: spec)
        #expect(try store.waitForEvents(job: job.id, after: 1, timeout: 0.05).isEmpty)
    }
}

@Suite struct LatestEventsTests {
    @Test func returnsTheNewestEventOfEachRequestedTypeOnly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-latest-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try Store(configuration: .dataDirectory(dir))
        let job = try store.createJob(spec: "{}")
        let other = try store.createJob(spec: "{}")
        try store.appendEvent(job: job.id, type: "epoch", payload: #"{"n":1}"#)
        try store.appendEvent(job: job.id, type: "control", payload: #"{"n":2}"#)
        try store.appendEvent(job: job.id, type: "epoch", payload: #"{"n":3}"#)
        try store.appendEvent(job: other.id, type: "epoch", payload: #"{"n":4}"#)
        let latest = try store.latestEvents(job: job.id, types: ["epoch", "control", "test"])
        #expect(latest["epoch"]?.payload == #"{"n":3}"#)
        #expect(latest["control"]?.payload == #"{"n":2}"#)
        #expect(latest["test"] == nil)
        #expect(try store.latestEvents(job: job.id, types: []).isEmpty)
    }
}
