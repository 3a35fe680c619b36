import Foundation
@testable import Daemon
@testable import Store
import Testing

/// One publisher per job feeds every SSE subscriber from the Store's event feed: no thread per
/// stream, no polling, every event to every subscriber once and in order, and a cap on streams.
@Suite struct EventFanOutTests {
    @Test func subscribersShareOnePublisherAndIdleStreamsDoNotReadTheStore() throws {
        let fixture = try DaemonFixture()
        let job = try fixture.store.createJob(spec: "{}")  // event 1: queued
        let count = 24
        let streams = (0..<count).map { _ in StreamRecording.start(fixture.client, "/v1/jobs/\(job.id)/events") }
        try fixture.wait("every stream to join the publisher") {
            fixture.daemon.eventHub.publisher(job: job.id)?.subscriberCount == count
                && streams.allSatisfy { $0.ids == [1] }
        }
        #expect(fixture.daemon.eventHub.publisherCount == 1)
        #expect(fixture.daemon.eventHub.limiter.openStreams == count)

        // Live events reach every stream without a single read of the event log.
        let readsBefore = fixture.store.eventLogReads
        for n in 1...30 { try fixture.store.appendEvent(job: job.id, type: "epoch", payload: #"{"n":\#(n)}"#) }
        try fixture.wait("the live events on every stream") { streams.allSatisfy { $0.ids.count == 31 } }
        #expect(fixture.store.eventLogReads == readsBefore)

        // The terminal status event goes out, then `end`, and the publisher and slots are released.
        try fixture.store.transitionJob(job.id, to: .cancelled)
        try fixture.wait("every stream to end") { streams.allSatisfy(\.finished) }
        for stream in streams {
            #expect(stream.error == nil)
            #expect(stream.ids == Array(1...32))
            #expect(stream.received.last?.event == "end")
            #expect(stream.received.last?.data == #"{"status":"cancelled"}"#)
        }
        try fixture.wait("the publisher to go") { fixture.daemon.eventHub.publisherCount == 0 }
        try fixture.wait("the stream slots to return") { fixture.daemon.eventHub.limiter.openStreams == 0 }
    }

    @Test func lateSubscriberReplaysHistoryAfterLastEventIDThenEnds() throws {
        let fixture = try DaemonFixture()
        let job = try fixture.store.createJob(spec: "{}")
        for n in 1...1_300 { try fixture.store.appendEvent(job: job.id, type: "step", payload: "\(n)") }
        let live = StreamRecording.start(fixture.client, "/v1/jobs/\(job.id)/events", lastEventID: "100")
        try fixture.wait("the replay") { live.ids.last == 1_301 }
        try fixture.store.appendEvent(job: job.id, type: "step", payload: "1301")
        try fixture.store.transitionJob(job.id, to: .cancelled)
        try fixture.wait("the end") { live.finished }
        #expect(live.ids == Array(101...1_303))  // history in replay batches, then live: no gap, no repeat

        // After the job ended: the rest of the log, then `end` at once.
        let late = StreamRecording.start(fixture.client, "/v1/jobs/\(job.id)/events?after=1300")
        try fixture.wait("the late stream") { late.finished }
        #expect(late.ids == [1_301, 1_302, 1_303])
        #expect(late.received.last?.event == "end")
    }

    @Test func aHistoryLargerThanTheStreamBufferReachesASlowReaderWhole() throws {
        let fixture = try DaemonFixture()
        let job = try fixture.store.createJob(spec: "{}")
        let pad = String(repeating: "x", count: 6_000)
        for n in 1...1_200 { try fixture.store.appendEvent(job: job.id, type: "step", payload: #"{"n":\#(n),"pad":"\#(pad)"}"#) }
        try fixture.store.transitionJob(job.id, to: .cancelled)
        // 7 MB of history (more than the kernel's socket buffers plus the 1 MiB a stream may have
        // queued) to a client with a 4 KiB receive buffer that reads nothing for a while: the replay
        // waits for it instead of overrunning and dropping it. (The pause only gives a replay without
        // back-pressure the time to fail; the outcome never depends on it.)
        let reader = try SlowReader(port: fixture.port, request: "GET /v1/jobs/\(job.id)/events HTTP/1.0\r\n\r\n")
        #expect(try reader.readHead().status == 200)
        Thread.sleep(forTimeInterval: 2)
        let text = String(decoding: try reader.readToEnd(pause: 0), as: UTF8.self)
        let ids = text.split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap { Int($0.dropFirst(4)) }
        #expect(ids == Array(1...1_202))
        #expect(text.hasSuffix("event: end\ndata: {\"status\":\"cancelled\"}\n\n"))
    }

    @Test func streamsBeyondTheCapGet503WithAJSONError() throws {
        let fixture = try DaemonFixture(maxStreams: 2)
        let job = try fixture.store.createJob(spec: "{}")
        let open = (0..<2).map { _ in StreamRecording.start(fixture.client, "/v1/jobs/\(job.id)/events") }
        try fixture.wait("two open streams") { fixture.daemon.eventHub.publisher(job: job.id)?.subscriberCount == 2 }

        let refused = try fixture.client.send("GET", "/v1/jobs/\(job.id)/events", headers: [("Accept", "text/event-stream")])
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") == "5")
        let body = try #require(try refused.json() as? [String: Any])
        #expect((body["error"] as? [String: Any])?["code"] as? String == "too_many_streams")
        // The JSON list is not a stream and is not capped.
        #expect(try fixture.client.get("/v1/jobs/\(job.id)/events?format=json").status == 200)

        try fixture.store.transitionJob(job.id, to: .cancelled)
        try fixture.wait("the streams to end") { open.allSatisfy(\.finished) }
        try fixture.wait("the slots to return") { fixture.daemon.eventHub.limiter.openStreams == 0 }
        let again = StreamRecording.start(fixture.client, "/v1/jobs/\(job.id)/events")
        try fixture.wait("a stream after the others ended") { again.finished }
        #expect(again.error == nil)
        #expect(again.received.last?.event == "end")
    }

    @Test func headRequestsDoNotKeepAStreamSlot() throws {
        let fixture = try DaemonFixture(maxStreams: 1)
        let job = try fixture.store.createJob(spec: "{}")
        // The slot goes back once the connection dropped the unstarted producer, just after the
        // head went out: wait for that, then the single slot serves the next HEAD again.
        for _ in 0..<3 {
            #expect(try fixture.client.send("HEAD", "/v1/jobs/\(job.id)/events").status == 200)
            try fixture.wait("the slot to return") { fixture.daemon.eventHub.limiter.openStreams == 0 }
        }
    }

    @Test func onlyTerminalStatusEventsEndStreams() {
        func event(_ type: String, _ payload: String) -> EventRecord {
            EventRecord(jobID: "job_1", id: 1, type: type, payload: payload, createdAt: Date())
        }
        #expect(JobEventPublisher.terminalStatus(event("status", #"{"previous":"running","status":"succeeded"}"#)) == .succeeded)
        #expect(JobEventPublisher.terminalStatus(event("status", #"{"status":"paused"}"#)) == nil)
        #expect(JobEventPublisher.terminalStatus(event("run", #"{"status":"succeeded"}"#)) == nil)
        #expect(JobEventPublisher.terminalStatus(event("status", "not json")) == nil)
    }
}
