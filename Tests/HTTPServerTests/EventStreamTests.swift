import Foundation
import HTTP1
import HTTPServer
import Testing

/// A box a test can hand to a handler to get the stream writer out.
final class WriterBox: @unchecked Sendable {
    private let lock = NSLock()
    private var writer: EventStreamWriter?
    let ready = DispatchSemaphore(value: 0)
    let closed = DispatchSemaphore(value: 0)

    func set(_ w: EventStreamWriter) {
        lock.withLock { writer = w }
        w.onClose { self.closed.signal() }
        ready.signal()
    }

    var value: EventStreamWriter? { lock.withLock { writer } }
}

@Suite struct EventStreamTests {
    @Test func eventsAreFramedWithIdEventAndDataLines() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /v1/jobs/7/events HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try c.read(until: "\r\n\r\n")
        #expect(head.contains("Content-Type: text/event-stream"))
        #expect(head.contains("Transfer-Encoding: chunked"))
        #expect(head.contains("Cache-Control: no-cache"))
        let events = try c.read(until: "data: line two\n\n\r\n")
        #expect(events.contains("id: 1\nevent: started\ndata: job 7\n\n"))
        #expect(events.contains("id: 2\nevent: progress\ndata: line one\ndata: line two\n\n"))
    }

    @Test func writerFromAnotherThreadAndHeartbeats() throws {
        let box = WriterBox()
        let s = try TestServer(configure: { $0.heartbeatInterval = 0.2 }, routes: { router in
            router.get("/stream") { _ in .eventStream { box.set($0) } }
        })
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try c.read(until: "\r\n\r\n")
        #expect(box.ready.wait(timeout: .now() + 20) == .success)
        let writer = try #require(box.value)
        DispatchQueue.global().async { writer.send(event: "tick", data: "{\"step\":1}") }
        _ = try c.read(until: "event: tick\ndata: {\"step\":1}\n\n")
        _ = try c.read(until: ": heartbeat\n\n")
        #expect(!writer.isClosed)
        writer.finish(final: ServerSentEvent(event: "done", data: "{}"))
        _ = try c.read(until: "event: done\ndata: {}\n\n\r\n0\r\n\r\n")
        #expect(box.closed.wait(timeout: .now() + 20) == .success)
        #expect(writer.isClosed)
        #expect(!writer.send(data: "late"))
        // The connection is reusable after the stream ended.
        try c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try c.response().text == "ok")
    }

    @Test func clientDisconnectClosesTheWriter() throws {
        let box = WriterBox()
        let s = try TestServer(routes: { router in
            router.get("/stream") { _ in .eventStream { box.set($0) } }
        })
        defer { s.stop() }
        do {
            let c = try s.client()
            try c.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try c.read(until: "\r\n\r\n")
            #expect(box.ready.wait(timeout: .now() + 20) == .success)
        }
        #expect(box.closed.wait(timeout: .now() + 20) == .success)
        #expect(box.value?.isClosed == true)
    }

    @Test func slowReaderIsDroppedAtTheBufferCap() throws {
        let box = WriterBox()
        let s = try TestServer(configure: { $0.streamBufferLimit = 256 << 10 }, routes: { router in
            router.get("/stream") { _ in .eventStream { box.set($0) } }
        })
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(box.ready.wait(timeout: .now() + 20) == .success)
        let writer = try #require(box.value)
        // The client never reads: the kernel buffers fill, then the server's cap trips.
        let payload = String(repeating: "x", count: 16 << 10)
        var accepted = 0
        for _ in 0..<10_000 {
            guard writer.send(data: payload) else { break }
            accepted += 1
        }
        #expect(accepted < 10_000)
        #expect(box.closed.wait(timeout: .now() + 20) == .success)
        #expect(writer.body.bufferedBytes <= 256 << 10)
    }

    @Test func headOnAStreamSendsOnlyTheHead() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("HEAD /v1/jobs/1/events HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try c.response(head: true)
        #expect(r.header("content-type") == "text/event-stream")
        #expect(try c.response().text == "ok")
    }

    @Test func encodingDropsLineBreaksFromIdAndEvent() {
        let bytes = ServerSentEvent(id: "1\n2", event: "a\r\nid: 9", data: "x\r\ny\rz").encoded()
        #expect(String(decoding: bytes, as: UTF8.self) == "id: 12\nevent: aid: 9\ndata: x\ndata: y\ndata: z\n\n")
    }
}

@Suite struct WireFormatTests {
    @Test func commentSpansLinesAndEndsWithBlankLine() {
        #expect(String(decoding: ServerSentEvent.comment("a\nb"), as: UTF8.self) == ": a\n: b\n\n")
    }

    @Test func retryFieldIsEncoded() {
        #expect(String(decoding: ServerSentEvent(data: "", retry: 3000).encoded(), as: UTF8.self) == "retry: 3000\ndata: \n\n")
    }
}
