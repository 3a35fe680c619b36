import Foundation
import HTTPServer
import Testing

@Suite struct TimeoutTests {
    @Test func slowlorisIsClosedWhileOthersAreServed() throws {
        let s = try TestServer(configure: { $0.headerTimeout = 0.5 })
        defer { s.stop() }
        let loris = try s.client()
        let dribbled = Counter()
        // Dribble one header byte every 50 ms for up to 20 s: steady progress must not extend the
        // 0.5 s deadline, so the 408 has to come long before the dribble would end.
        let dribbler = Thread {
            try? loris.send("GET /hello HTTP/1.1\r\nHost: x\r\n")
            for _ in 0..<400 {
                guard (try? loris.send("X")) != nil else { return }
                dribbled.increment()
                usleep(50_000)
            }
        }
        dribbler.start()
        for _ in 0..<5 {
            let other = try s.client()
            try other.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try other.response().text == "ok")
            usleep(50_000)
        }
        let r = try loris.response()
        #expect(r.status == 408)
        #expect(loris.waitForClose())
        #expect(dribbled.value < 400, "the deadline was extended by the dribble")
    }

    @Test func silentConnectionIsClosedByHeaderTimeout() throws {
        let s = try TestServer(configure: { $0.headerTimeout = 0.3 })
        defer { s.stop() }
        let c = try s.client()
        #expect(c.waitForClose())
        #expect(c.buffer.isEmpty)
    }

    @Test func slowBodyGets408() throws {
        let s = try TestServer(configure: { $0.bodyTimeout = 0.3 })
        defer { s.stop() }
        let c = try s.client()
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        let r = try c.response()
        #expect(r.status == 408)
        #expect(r.errorCode == "request_timeout")
        #expect(c.waitForClose())
    }

    @Test func idleKeepAliveConnectionIsClosed() throws {
        let s = try TestServer(configure: { $0.idleTimeout = 0.3 })
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try c.response()
        let t0 = Date()
        #expect(c.waitForClose())
        #expect(Date().timeIntervalSince(t0) > 0.2)
        #expect(eventually { s.server.connectionCount == 0 })
    }
}

/// A thread-safe tally shared between a test and a helper thread.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
