import Foundation
import OpenSSL
import Testing
import ThawClient

/// The real thawd: many SSE clients on one job all receive every event, in order, from one
/// publisher; streams past `--max-streams` get a 503; `best` downloads while training replaces it
/// are always complete and match their ETag.
@Suite(.serialized, .enabled(if: fashionMNISTInstalled)) struct EventFanOutE2ETests {
    final class Recording: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [ServerSentEvent] = []
        /// When each of `received` arrived (the same index).
        private var times: [Date] = []
        private var done = false
        private var failure: String?
        var received: [ServerSentEvent] { lock.withLock { events } }
        var receivedAt: [Date] { lock.withLock { times } }
        var finished: Bool { lock.withLock { done } }
        var error: String? { lock.withLock { failure } }

        init(port: Int, path: String) {
            Thread {
                do {
                    try HTTPClient(host: "127.0.0.1", port: port, timeout: 300).streamEvents(path) { event in
                        self.lock.withLock { self.events.append(event); self.times.append(Date()) }
                        return true
                    }
                } catch {
                    self.lock.withLock { self.failure = "\(error)" }
                }
                self.lock.withLock { self.done = true }
            }.start()
        }
    }

    static func openStreams(_ client: HTTPClient) throws -> Int? {
        let text = String(decoding: try client.get("/metrics").body, as: UTF8.self)
        let line = text.split(separator: "\n").first { $0.hasPrefix("thaw_event_streams ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) }
    }

    static func wait(_ what: String, timeout: TimeInterval = 600, until condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            usleep(50_000)
        }
        throw E2EError.timedOut(what)
    }

    @Test func manyStreamsOnOneJobEachGetEveryEventInOrder() throws {
        let streams = 40
        let daemon = try DaemonProcess(arguments: ["--max-streams", String(streams)])
        let client = daemon.client
        let model = try client.registerSmallCNN()
        // The first job keeps the single worker busy, so the streams join the second while it is queued
        // and see its whole run live.
        let (_, blocker) = try client.jsonObject("POST", "/v1/jobs", body: smallJob(model: model, perClass: 20, epochs: [1, 1]))
        let (_, watched) = try client.jsonObject("POST", "/v1/jobs", body: smallJob(model: model, perClass: 30, epochs: [1, 3]))
        _ = try #require(blocker["id"] as? String)
        let id = try #require(watched["id"] as? String)

        let recordings = (0..<streams).map { _ in Recording(port: daemon.port, path: "/v1/jobs/\(id)/events") }
        try Self.wait("\(streams) open streams") { try Self.openStreams(client) == streams }
        let refused = try client.send("GET", "/v1/jobs/\(id)/events", headers: [("Accept", "text/event-stream")])
        #expect(refused.status == 503)
        let error = try #require(try refused.json() as? [String: Any])["error"] as? [String: Any]
        #expect(error?["code"] as? String == "too_many_streams")

        // Meanwhile: download `best` over and over while new epochs replace it.
        var downloads = 0
        while !(recordings.allSatisfy(\.finished)) {
            let response = try client.get("/v1/jobs/\(id)/weights?checkpoint=best")
            if response.status == 200 {
                #expect(response.header("ETag") == "\"\(SHA256.hex(of: response.body))\"")
                #expect(Int(response.header("Content-Length") ?? "") == response.body.count)
                downloads += 1
            } else {
                #expect(response.status == 404)  // before the first best exists
            }
        }
        #expect(downloads > 0)

        let stored = try client.get("/v1/jobs/\(id)/events?format=json&limit=5000").json() as? [String: Any]
        let storedIDs = (stored?["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
        #expect(storedIDs == Array(1...storedIDs.count))
        for recording in recordings {
            #expect(recording.error == nil)
            let events = recording.received
            #expect(events.compactMap { $0.id.flatMap(Int.init) } == storedIDs)
            #expect(events.last?.event == "end")
            #expect(events.last?.data == #"{"status":"succeeded"}"#)
        }
        try Self.wait("the stream slots to be given back", timeout: 60) { try Self.openStreams(client) == 0 }
        // Slots returned: a stream opens again (the finished job replays its log and ends).
        var again: [ServerSentEvent] = []
        try client.streamEvents("/v1/jobs/\(id)/events", lastEventID: String(storedIDs.count - 1)) {
            again.append($0)
            return true
        }
        #expect(again.map(\.event) == [(stored?["data"] as? [[String: Any]])?.last?["type"] as? String, "end"])
    }
}
