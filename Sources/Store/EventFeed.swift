import Foundation

/// Hands committed events to in-process listeners and wakes `waitForEvents`, so no reader needs to
/// poll the database for new events.
///
/// `published` runs on the Store's queue right after the commit that appended the events, so
/// listeners see every job's events exactly once, in id order, and never an event a rollback undid.
/// Listeners must therefore be quick and must not call back into the Store (e.g. copy the events onto
/// a queue of their own). `waitForEvents` waits on a generation counter instead; its spurious
/// wake-ups are harmless because it re-reads the log.
final class EventFeed: @unchecked Sendable {
    typealias Listener = @Sendable ([EventRecord]) -> Void

    private let condition = NSCondition()
    private var generation: UInt64 = 0
    private var listeners: [Listener] = []

    var current: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return generation
    }

    func addListener(_ listener: @escaping Listener) {
        condition.lock()
        listeners.append(listener)
        condition.unlock()
    }

    /// Called on the Store's queue with the events one commit appended (possibly none).
    func published(_ events: [EventRecord]) {
        condition.lock()
        let listeners = self.listeners
        generation &+= 1
        condition.broadcast()
        condition.unlock()
        guard !events.isEmpty else { return }
        for listener in listeners { listener(events) }
    }

    /// True if a publish happened after `seen` before `deadline`.
    func wait(after seen: UInt64, until deadline: Date) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while generation == seen {
            if !condition.wait(until: deadline) { return generation != seen }
        }
        return true
    }
}
