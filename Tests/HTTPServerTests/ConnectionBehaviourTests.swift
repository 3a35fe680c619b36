import Foundation
import HTTPServer
import Testing

@Suite struct ConnectionBehaviourTests {
    @Test func severalClientsAtOnce() throws {
        let s = try TestServer()
        defer { s.stop() }
        let group = DispatchGroup()
        let lock = NSLock()
        nonisolated(unsafe) var ok = 0
        for worker in 0..<16 {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let c = try? s.client() else { return }
                for i in 0..<25 {
                    try? c.send("GET /v1/jobs/\(worker * 100 + i) HTTP/1.1\r\nHost: x\r\n\r\n")
                    if let r = try? c.response(), r.text == #"{"id":\#(worker * 100 + i),"name":"job"}"# {
                        lock.withLock { ok += 1 }
                    }
                }
            }.start()
        }
        #expect(group.wait(timeout: .now() + 30) == .success)
        #expect(lock.withLock { ok } == 16 * 25)
    }

    @Test func slowHandlerDoesNotBlockOtherConnections() throws {
        let s = try TestServer()
        defer { s.stop() }
        let held = try s.client()
        try held.send("GET /gate HTTP/1.1\r\nHost: x\r\n\r\n")
        let fast = try s.client()
        try fast.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        // Answered while the other handler is still parked: it cannot have waited for it.
        #expect(try fast.response().text == "ok")
        Gate.shared.semaphore.signal()
        #expect(try held.response().text == "gated")
    }

    @Test func halfClosedClientStillGetsItsResponses() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        c.shutdownWrite()
        #expect(try c.response().text == "ok")
        let r = try c.response()
        #expect(r.text == "slow")
        #expect(r.header("connection") == "close")
        #expect(c.waitForClose())
    }

    @Test func disconnectMidBodyLeavesServerHealthy() throws {
        let s = try TestServer()
        defer { s.stop() }
        for _ in 0..<10 {
            let c = try s.client()
            try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\npartial")
        }
        #expect(eventually { s.server.connectionCount == 0 })
        let c = try s.client()
        try c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try c.response().text == "ok")
    }

    @Test func requestSentOneByteAtATime() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client()
        let body = #"{"id":5,"name":"slow"}"#
        try c.sendSlowly("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)", pause: 0.0005)
        #expect(try c.response().text == #"{"id":6,"name":"slow"}"#)
        try c.sendSlowly("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b\r\nabc\r\n0\r\nT: 1\r\n\r\n", pause: 0)
        #expect(try c.response().text == "abc")
    }

    @Test func largeResponseToSlowReaderArrivesIntact() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client(timeout: 30)
        try c.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.3) // let the socket buffers fill: the server must wait, not spin
        let other = try s.client()
        try other.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try other.response().text == "ok")
        let r = try c.response()
        #expect(r.body.count == 4 << 20)
        #expect(r.body.allSatisfy { $0 == 0x61 })
        #expect(try c.response().text == "ok")
    }

    @Test func pipelinedFloodWithoutReadingIsBounded() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client(timeout: 30)
        // 2,000 pipelined requests for a 4 MiB body would be 8 GB if the server buffered them all.
        let flood = String(repeating: "GET /big HTTP/1.1\r\nHost: x\r\n\r\n", count: 2000)
        let sender = Thread { try? c.send(flood) }
        sender.start()
        Thread.sleep(forTimeInterval: 0.5)
        let r = try c.response()
        #expect(r.body.count == 4 << 20)
    }

    /// A client that pipelines without reading its responses must be stopped by TCP flow control
    /// (the server stops reading), not absorbed into server memory.
    @Test func nonReadingPipelinerIsThrottledByTheServer() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try s.client(timeout: 2)
        // 32 MiB of requests: several times what loopback socket buffers can absorb (~4 MiB seen).
        let flood = Array(String(repeating: "GET /big HTTP/1.1\r\nHost: x\r\n\r\n", count: 1 << 20).utf8)
        #expect(throws: RawClient.Failure.self) { try c.send(flood) }
    }
}
