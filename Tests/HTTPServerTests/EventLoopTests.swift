import Foundation
@testable import HTTPServer
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The readiness loop on a real socket pair: what it reports, and what it must not (a paused or
/// cancelled socket, a hang-up nobody waits for, anything after `stop`).
@Suite struct EventLoopTests {
    /// Counts the loop's calls; `socketReady` runs on the loop's thread.
    final class Recorder: ReadinessHandler, @unchecked Sendable {
        private let lock = NSLock()
        private var readable = 0
        private var writable = 0
        let fd: Int32
        /// Drains what is readable so a level-triggered loop reports each write once.
        var drain = true
        init(fd: Int32) { self.fd = fd }

        func socketReady(readable: Bool, writable: Bool) {
            if readable, drain {
                var scratch = [UInt8](repeating: 0, count: 4096)
                while recv(fd, &scratch, scratch.count, Int32(MSG_DONTWAIT)) > 0 {}
            }
            lock.withLock {
                if readable { self.readable += 1 }
                if writable { self.writable += 1 }
            }
        }

        var counts: (readable: Int, writable: Int) { lock.withLock { (readable, writable) } }

        func wait(_ what: String, timeout: Double = 5, until: ((readable: Int, writable: Int)) -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if until(counts) { return true }
                usleep(2_000)
            }
            return until(counts)
        }
    }

    static func socketPair() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        return (fds[0], fds[1])
    }

    static func send(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        #expect(Glibc.send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count)
    }

    @Test func reportsInputAndWritabilityOnlyWhileWatched() throws {
        let loop = try EventLoop(name: "test.loop")
        defer { loop.stop() }
        let (ours, theirs) = try Self.socketPair()
        defer { close(ours); close(theirs) }
        let recorder = Recorder(fd: ours)
        let registration = try #require(loop.register(fd: ours, handler: recorder))

        Self.send(theirs, "one")
        #expect(recorder.wait("the first input") { $0.readable == 1 })
        #expect(recorder.counts.writable == 0, "writability is not watched by default")

        // Paused: input that arrives is not reported until the socket is watched again.
        registration.watch(read: false, write: false)
        Self.send(theirs, "two")
        usleep(100_000)
        #expect(recorder.counts.readable == 1)
        registration.watch(read: true, write: false)
        #expect(recorder.wait("the input waiting since the pause") { $0.readable == 2 })

        registration.watch(read: false, write: true)
        #expect(recorder.wait("writability") { $0.writable >= 1 })
        registration.watch(read: false, write: false)
        usleep(50_000)
        let settled = recorder.counts.writable
        usleep(100_000)
        #expect(recorder.counts.writable == settled, "a socket that waits for nothing is not reported")
        registration.cancel()
    }

    /// epoll reports a hang-up even to an empty interest; a paused connection whose peer left must
    /// not wake the loop again and again (the loop takes it out of the set instead).
    @Test func aHangUpOnAPausedSocketDoesNotSpin() throws {
        let loop = try EventLoop(name: "test.loop")
        defer { loop.stop() }
        let (ours, theirs) = try Self.socketPair()
        defer { close(ours) }
        let recorder = Recorder(fd: ours)
        let registration = try #require(loop.register(fd: ours, handler: recorder))
        registration.watch(read: false, write: false)
        close(theirs)
        usleep(200_000)
        #expect(recorder.counts.readable == 0 && recorder.counts.writable == 0)
        // Watched again, the hang-up is reported (as readable: the read sees the EOF).
        registration.watch(read: true, write: false)
        #expect(recorder.wait("the hang-up") { $0.readable >= 1 })
        registration.cancel()
    }

    @Test func nothingIsReportedAfterCancelOrStop() throws {
        let loop = try EventLoop(name: "test.loop")
        let (ours, theirs) = try Self.socketPair()
        defer { close(ours); close(theirs) }
        let recorder = Recorder(fd: ours)
        recorder.drain = false
        let registration = try #require(loop.register(fd: ours, handler: recorder))
        Self.send(theirs, "x")
        #expect(recorder.wait("the input") { $0.readable >= 1 })
        registration.cancel()
        // A call the loop had already looked up may still land once; after that, nothing.
        usleep(50_000)
        let seen = recorder.counts.readable
        usleep(100_000)
        #expect(recorder.counts.readable == seen, "undrained input after cancel: not reported")

        let other = Recorder(fd: ours)
        loop.stop()
        #expect(loop.register(fd: ours, handler: other) == nil, "a stopped loop takes no sockets")
    }
}
