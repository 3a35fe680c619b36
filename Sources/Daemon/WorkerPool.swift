import Foundation
import Store

/// `--workers` training threads. Each claims the next job from the store (interrupted jobs first,
/// then queued ones by priority and submission order), runs it to an outcome, and claims again.
/// Workers sleep on a condition between jobs; `wake()` is called whenever a job becomes claimable.
final class WorkerPool: @unchecked Sendable {
    private unowned let daemon: Daemon
    private let condition = NSCondition()
    private var stopping = false
    private var pendingWakes = 0
    private var running: [String: JobExecution] = [:]
    private var threads: [Thread] = []
    private var finished = 0
    private let count: Int

    init(daemon: Daemon, count: Int) {
        self.daemon = daemon
        self.count = count
    }

    func start() {
        for index in 0..<count {
            let thread = Thread { [self] in
                // Training yields to the API: a nice of 5 (per thread on Linux, inherited by the
                // engine's helper threads this thread starts) lets the HTTP threads preempt it.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 5)
                loop(index)
            }
            thread.name = "thaw-worker-\(index)"
            thread.stackSize = 16 << 20
            threads.append(thread)
            thread.start()
        }
        wake()
    }

    func wake() {
        condition.lock()
        pendingWakes += count
        condition.broadcast()
        condition.unlock()
    }

    func isRunning(_ jobID: String) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return running[jobID] != nil
    }

    /// Runs `body` with the pool locked and whether a worker holds the job. Claiming a job and
    /// registering its execution happen under the same lock, so a command handled in `body` either
    /// sees the job held (and leaves it to the runner) or changes the record before any worker can
    /// take it: a cancel landing between claim and start is never lost. `body` must not call back
    /// into the pool (`wake()` after it returns instead).
    func withOwnership<T>(of jobID: String, _ body: (_ held: Bool) throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body(running[jobID] != nil)
    }

    /// Asks every running job to stop at its next batch boundary (it resumes on the next start).
    func interruptAll() {
        condition.lock()
        stopping = true
        for execution in running.values { execution.interrupt() }
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for every worker to return, until `deadline`; returns the ids of jobs still running
    /// then (empty when all stopped).
    func waitForAll(until deadline: Date) -> [String] {
        condition.lock()
        defer { condition.unlock() }
        while finished < threads.count, condition.wait(until: deadline) {}
        return finished < threads.count ? running.keys.sorted() : []
    }

    private func loop(_ index: Int) {
        while true {
            condition.lock()
            if !stopping && pendingWakes == 0 {
                // Also look at the store every 2 s without a wake: a safety net, claiming is cheap.
                _ = condition.wait(until: Date().addingTimeInterval(2))
            }
            if stopping {
                finished += 1
                condition.broadcast()
                condition.unlock()
                return
            }
            pendingWakes = max(0, pendingWakes - 1)

            // Claim and registration under one lock hold (see `withOwnership`).
            let job: JobRecord?
            do { job = try daemon.store.claimNextQueued() } catch {
                condition.unlock()
                Log.error("worker \(index): cannot claim a job: \(error)")
                continue
            }
            guard let job else {
                condition.unlock()
                continue
            }
            let execution = JobExecution(daemon: daemon, job: job)
            running[job.id] = execution
            if stopping { execution.interrupt() }
            condition.unlock()
            Log.info("worker \(index): \(job.isResume ? "resuming" : "starting") job \(job.id) (\(job.name ?? "unnamed"))")
            execution.run()
            condition.lock()
            running[job.id] = nil
            pendingWakes += 1  // look for more work at once
            // Commands that reached a job its run just parked (disk_full) while it was still held.
            let wakeAgain = daemon.settleParkedCommands(job: job.id)
            condition.unlock()
            if wakeAgain { wake() }
        }
    }
}
