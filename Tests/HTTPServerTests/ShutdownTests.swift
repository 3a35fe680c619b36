import Foundation
import HTTP1
import HTTPServer
import Testing

@Suite struct ShutdownTests {
    @Test func inFlightRequestFinishesAndStreamsGetFinalEvent() throws {
        let box = WriterBox()
        let s = try TestServer(routes: { router in
            router.get("/stream") { _ in .eventStream { box.set($0) } }
        })
        let streaming = try s.client()
        try streaming.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(box.ready.wait(timeout: .now() + 5) == .success)
        let slow = try s.client()
        try slow.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        let idle = try s.client()
        try idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try idle.response()
        Thread.sleep(forTimeInterval: 0.1)

        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var clean = false
        Thread {
            clean = s.server.shutdown(deadline: 5)
            done.signal()
        }.start()
        let r = try slow.response()
        #expect(r.text == "slow")
        #expect(r.header("connection") == "close")
        _ = try streaming.read(until: "event: shutdown\ndata: {\"reason\":\"server shutting down\"}\n\n\r\n0\r\n\r\n")
        #expect(streaming.waitForClose())
        #expect(idle.waitForClose())
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(clean)
        #expect(box.value?.isClosed == true)
        #expect(throws: (any Error).self) { try RawClient(port: s.port) }
    }

    @Test func deadlineForcesStuckConnectionsClosed() throws {
        let s = try TestServer(routes: { router in
            router.get("/stuck") { _ in
                // Far longer than the deadline, so returning early proves the deadline, even on a loaded CI.
                Thread.sleep(forTimeInterval: 30)
                return .text("late")
            }
        })
        let c = try s.client()
        try c.send("GET /stuck HTTP/1.1\r\nHost: x\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.1)
        let start = Date()
        #expect(s.server.shutdown(deadline: 0.5) == false)
        #expect(Date().timeIntervalSince(start) < 15)
        #expect(c.waitForClose())
    }
}

@Suite struct SignalShutdownTests {
    /// SIGUSR2 stands in for SIGTERM so the test process itself is never at risk.
    @Test func signalTriggersGracefulShutdown() throws {
        let s = try TestServer()
        let c = try s.client()
        try c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try c.response()
        let finished = DispatchSemaphore(value: 0)
        s.server.shutdownOnSignals([SIGUSR2], deadline: 2) { clean in
            if clean { finished.signal() }
        }
        kill(getpid(), SIGUSR2)
        #expect(finished.wait(timeout: .now() + 5) == .success)
        #expect(c.waitForClose())
        #expect(throws: (any Error).self) { try RawClient(port: s.port) }
    }
}

@Suite struct HandlerErrorReportTests {
    @Test func nonConvertibleErrorsAreReportedToTheHook() throws {
        let seen = DispatchSemaphore(value: 0)
        let s = try TestServer(configure: { configuration in
            configuration.onHandlerError = { request, error in
                if request.path == "/crash", error is TestServer.Secret { seen.signal() }
            }
        })
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /crash HTTP/1.1\r\nHost: x\r\n\r\nGET /teapot HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try c.response().status == 500)
        #expect(try c.response().status == 418)
        #expect(seen.wait(timeout: .now() + 5) == .success)
        #expect(seen.wait(timeout: .now() + 0.2) == .timedOut) // the teapot is not reported
    }
}
