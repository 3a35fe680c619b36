@testable import HTTPServer
import Testing

/// The timeout state machine against a manual clock (nanoseconds).
@Suite struct ConnectionClockTests {
    let t = ConnectionTimeouts(header: 10, body: 30, idle: 60, write: 20, linger: 2, heartbeat: 15)

    @Test func newConnectionUsesHeaderTimeout() {
        let clock = ConnectionClock(now: 100)
        #expect(clock.deadline(t) == 110)
        #expect(clock.action(now: 109, t) == .none)
        #expect(clock.action(now: 110, t) == .headerTimeout)
    }

    @Test func idleUsesIdleTimeoutFromResponseEnd() {
        var clock = ConnectionClock(now: 0)
        clock.enter(.idle, now: 50)
        #expect(clock.deadline(t) == 110)
        #expect(clock.action(now: 109, t) == .none)
        #expect(clock.action(now: 110, t) == .closeIdle)
    }

    @Test func headerDeadlineDoesNotMoveWithProgress() {
        var clock = ConnectionClock(now: 0)
        clock.enter(.readingHead, now: 5)
        // Bytes arriving do not re-enter the phase, so the deadline stays at start + header.
        #expect(clock.deadline(t) == 15)
    }

    @Test func bodyTimeout() {
        var clock = ConnectionClock(now: 0)
        clock.enter(.readingBody, now: 10)
        #expect(clock.deadline(t) == 40)
        #expect(clock.action(now: 40, t) == .bodyTimeout)
    }

    @Test func handlingHasNoDeadline() {
        var clock = ConnectionClock(now: 0)
        clock.enter(.handling, now: 10)
        #expect(clock.deadline(t) == nil)
        #expect(clock.action(now: 1_000_000, t) == .none)
    }

    @Test func stalledWriteWinsOverEverything() {
        var clock = ConnectionClock(now: 0)
        clock.enter(.idle, now: 0)
        clock.outputChanged(pending: true, progressed: false, now: 5)
        #expect(clock.deadline(t) == 25)
        clock.outputChanged(pending: true, progressed: true, now: 20)
        #expect(clock.deadline(t) == 40)
        #expect(clock.action(now: 40, t) == .writeTimeout)
        clock.outputChanged(pending: false, progressed: true, now: 21)
        #expect(clock.deadline(t) == 60)
    }

    @Test func eventStreamHeartbeatAfterSilence() {
        var clock = ConnectionClock(now: 0)
        clock.enter(.streaming, now: 100, eventStream: true)
        #expect(clock.deadline(t) == 115)
        clock.streamActivity(now: 110)
        #expect(clock.deadline(t) == 125)
        #expect(clock.action(now: 125, t) == .heartbeat)
    }

    @Test func chunkedStreamHasNoHeartbeat() {
        var clock = ConnectionClock(now: 0)
        clock.enter(.streaming, now: 100, eventStream: false)
        #expect(clock.deadline(t) == nil)
    }

    @Test func lingerEnds() {
        var clock = ConnectionClock(now: 0)
        clock.enter(.lingering, now: 7)
        #expect(clock.action(now: 9, t) == .lingerDone)
    }
}
