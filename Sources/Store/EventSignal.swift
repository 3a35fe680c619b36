import Foundation

/// Wakes SSE streams when events are committed, so they need not poll the database.
///
/// A counter bumped after every commit that appended events; waiters sleep on a condition until it
/// moves past the value they saw or the timeout passes. Spurious wake-ups are harmless: the waiter
/// re-reads `events(job:after:)` and waits again if nothing new is there.
final class EventSignal: @unchecked Sendable {
    private let condition = NSCondition()
    private var generation: UInt64 = 0

    var current: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return generation
    }

    func notify() {
        condition.lock()
        generation &+= 1
        condition.broadcast()
        condition.unlock()
    }

    /// True if a notify happened after `seen` before `deadline`.
    func wait(after seen: UInt64, until deadline: Date) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while generation == seen {
            if !condition.wait(until: deadline) { return generation != seen }
        }
        return true
    }
}
