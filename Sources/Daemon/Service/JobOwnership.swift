import Foundation

/// Which jobs a worker holds, under the one lock that claims take and that commands and deletions are
/// decided under: a command either sees its job held (and leaves it to the run) or changes the record
/// before any worker can claim it. Also the workers' wake-up signal (the same condition).
final class JobOwnership: @unchecked Sendable {
    /// Guards everything below; `WorkerPool` sleeps on it between jobs.
    let condition = NSCondition()
    /// Ids of the jobs workers run now.
    var held: Set<String> = []
    /// Wake-ups not yet taken by a worker.
    var pendingWakes = 0
    let workers: Int

    init(workers: Int) { self.workers = workers }

    /// Runs `body` with the lock held and whether a worker holds the job. `body` must not call
    /// `wake()` (call it after this returns).
    func withOwnership<T>(of jobID: String, _ body: (_ held: Bool) throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body(held.contains(jobID))
    }

    /// A job became claimable: every worker looks at the store. Capped at one look per worker: wakes
    /// that arrive while the workers train (on a shared store, one per job any node queues) must not
    /// pile up into a burst of empty claims when a run ends.
    func wake() {
        condition.lock()
        pendingWakes = max(pendingWakes, workers)
        condition.broadcast()
        condition.unlock()
    }
}
