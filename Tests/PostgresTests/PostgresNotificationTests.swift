import Foundation
import Testing

import Postgres

/// LISTEN/NOTIFY through the wrapper against the real test server: delivery across connections
/// only on commit, nothing for a rollback, and the listener thread's reconnect after its server
/// session is terminated. Channels are per database, so every test uses channels of its own.
@Suite(.enabled(if: testPostgresURI != nil, "needs THAW_TEST_POSTGRES_URI (deploy/test.sh sets it)"))
struct PostgresNotificationTests {
    static func channel() -> String { "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }

    /// Waits up to `timeout` for at least `count` notifications.
    static func receive(_ connection: PostgresConnection, count: Int = 1, timeout: Double = 5) throws -> [PostgresNotification] {
        let deadline = Date().addingTimeInterval(timeout)
        var out: [PostgresNotification] = []
        while out.count < count, Date() < deadline {
            out += try connection.waitForNotifications(timeout: deadline.timeIntervalSinceNow)
        }
        return out
    }

    @Test func aNotifyFromOneConnectionReachesAListenOnAnotherOnlyOnCommit() throws {
        let listener = try PostgresConnection(uri: testPostgresURI!)
        let sender = try PostgresConnection(uri: testPostgresURI!)
        let channel = Self.channel()
        try listener.listen(channel)
        try sender.execute("BEGIN")
        try sender.notify(channel, payload: "job_1")
        // Sent inside an open transaction: nothing arrives before the COMMIT.
        #expect(try listener.waitForNotifications(timeout: 0.3).isEmpty)
        try sender.execute("COMMIT")
        let received = try Self.receive(listener)
        #expect(received == [PostgresNotification(channel: channel, payload: "job_1", senderPID: sender.backendPID)])
        // Outside a transaction a notify is its own commit.
        try sender.notify(channel, payload: "it's \"quoted\" ü")
        #expect(try Self.receive(listener).map(\.payload) == ["it's \"quoted\" ü"])
    }

    @Test func aRolledBackTransactionNotifiesNothing() throws {
        let listener = try PostgresConnection(uri: testPostgresURI!)
        let sender = try PostgresConnection(uri: testPostgresURI!)
        let channel = Self.channel()
        try listener.listen(channel)
        try sender.execute("BEGIN")
        try sender.notify(channel, payload: "rolled-back")
        try sender.execute("ROLLBACK")
        // A committed marker after it: delivery is in commit order, so had the rolled-back one been
        // sent it would arrive first.
        try sender.notify(channel, payload: "marker")
        let received = try Self.receive(listener)
        #expect(received.map(\.payload) == ["marker"])
        #expect(try listener.waitForNotifications(timeout: 0.3).isEmpty)
    }

    @Test func onlyListenedChannelsArriveAndUnlistenStopsThem() throws {
        let listener = try PostgresConnection(uri: testPostgresURI!)
        let sender = try PostgresConnection(uri: testPostgresURI!)
        let (mine, other) = (Self.channel(), Self.channel())
        try listener.listen(mine)
        try sender.notify(other, payload: "not for it")
        try sender.notify(mine, payload: "for it")
        #expect(try Self.receive(listener).map(\.channel) == [mine])
        try listener.unlisten(mine)
        try sender.notify(mine, payload: "after unlisten")
        #expect(try listener.waitForNotifications(timeout: 0.3).isEmpty)
    }

    @Test func aChannelNameTheServerWouldTruncateIsRefused() throws {
        let connection = try PostgresConnection(uri: testPostgresURI!)
        for bad in ["", String(repeating: "c", count: 64)] {
            #expect { try connection.listen(bad) } throws: { ($0 as? PostgresError)?.kind == .invalidArgument }
            #expect { try connection.notify(bad) } throws: { ($0 as? PostgresError)?.kind == .invalidArgument }
        }
        #expect(throws: PostgresError.self) { try PostgresListener(uri: testPostgresURI!, channels: ["ok", ""]) { _ in } }
        try connection.listen(String(repeating: "c", count: 63))  // the longest name that is kept whole
    }

    /// The listener thread: notifications arrive on it; when its server session is terminated it
    /// reports the loss, reconnects, LISTENs again (`connected(reconnect: true)`) and receives again.
    @Test func theListenerReconnectsAfterItsSessionIsTerminated() throws {
        let channel = Self.channel()
        let name = "listener_" + UUID().uuidString.prefix(8).lowercased()
        let base = testPostgresURI!
        let uri = base + (base.contains("?") ? "&" : "?") + "application_name=\(name)"
        let log = EventLog()
        let listener = try PostgresListener(uri: uri, channels: [channel], initialBackoff: 0.05) { log.append($0) }
        listener.start()
        defer { listener.stop() }
        try log.wait { $0.contains { if case .connected(false) = $0 { true } else { false } } }
        let sender = try PostgresConnection(uri: base)
        try sender.notify(channel, payload: "first")
        try log.wait { $0.contains { if case .notification(let n) = $0 { n.payload == "first" } else { false } } }

        let killed = try sender.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                                      [PostgresParameter(name)])
        #expect(killed.rows == [["t"]])
        try log.wait { $0.contains { if case .connected(true) = $0 { true } else { false } } }
        #expect(log.events.contains { if case .disconnected = $0 { true } else { false } })
        try sender.notify(channel, payload: "second")
        try log.wait { $0.contains { if case .notification(let n) = $0 { n.payload == "second" } else { false } } }

        let started = Date()
        listener.stop()
        #expect(Date().timeIntervalSince(started) < 1, "stop() interrupts the thread's poll()")
        let after = log.events.count
        try sender.notify(channel, payload: "after stop")
        usleep(300_000)
        #expect(log.events.count == after, "a stopped listener hands nothing on")
    }

    final class EventLog: @unchecked Sendable {
        private let condition = NSCondition()
        private var stored: [PostgresListener.Event] = []

        func append(_ event: PostgresListener.Event) {
            condition.lock()
            stored.append(event)
            condition.broadcast()
            condition.unlock()
        }

        var events: [PostgresListener.Event] { condition.lock(); defer { condition.unlock() }; return stored }

        func wait(timeout: Double = 10, until done: ([PostgresListener.Event]) -> Bool) throws {
            let deadline = Date().addingTimeInterval(timeout)
            condition.lock()
            defer { condition.unlock() }
            while !done(stored) {
                if !condition.wait(until: deadline) {
                    Issue.record("timed out; events so far: \(stored)")
                    throw CancellationError()
                }
            }
        }
    }
}
