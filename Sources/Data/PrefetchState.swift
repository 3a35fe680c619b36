import Foundation

/// The bounded queue between `BatchLoader`'s producer thread and its consumer, guarded by one
/// condition variable. Owned jointly by the loader and its thread, so dropping the loader can
/// cancel a producer blocked on a full queue.
final class PrefetchState: @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int
    private var queue: [Batch] = []
    private var finished = false
    private var cancelled = false
    private var waitTime = Duration.zero
    private var assemblyTime = Duration.zero

    init(capacity: Int) { self.capacity = capacity }

    var isCancelled: Bool { condition.withLock { cancelled } }

    var queuedCount: Int { condition.withLock { queue.count } }

    var statistics: (wait: Double, assembly: Double) {
        condition.withLock { (Self.seconds(waitTime), Self.seconds(assemblyTime)) }
    }

    /// Blocks while the queue is full; false once cancelled.
    func waitForRoom() -> Bool {
        condition.withLock {
            while queue.count >= capacity && !cancelled { condition.wait() }
            return !cancelled
        }
    }

    /// Enqueues a batch; false once cancelled (the batch is dropped).
    func put(_ batch: Batch, assembly: Duration) -> Bool {
        condition.withLock {
            guard !cancelled else { return false }
            queue.append(batch)
            assemblyTime += assembly
            condition.broadcast()
            return true
        }
    }

    func finish() {
        condition.withLock { finished = true; condition.broadcast() }
    }

    func cancel() {
        condition.withLock { cancelled = true; queue = []; condition.broadcast() }
    }

    /// Blocks until a batch is ready; nil at the end of the epoch or once cancelled.
    func take() -> Batch? {
        condition.withLock {
            let started = ContinuousClock.now
            var waited = false
            while queue.isEmpty && !finished && !cancelled { waited = true; condition.wait() }
            if waited { waitTime += started.duration(to: .now) }
            guard !cancelled, !queue.isEmpty else { return nil }
            // The queue holds at most `capacity` batches: removeFirst is cheap and frees the batch.
            let batch = queue.removeFirst()
            condition.broadcast()
            return batch
        }
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
