import Foundation
import Store
import Tensor

/// `--workers` training threads. Each claims the next job from the store (interrupted jobs first,
/// then queued ones by priority and submission order), runs it to an outcome, and claims again.
/// Workers sleep on the ownership condition between jobs; `wake()` is called whenever a job becomes
/// claimable. Claims go through the `JobService`; `makeExecution` builds the run of a claimed job.
final class WorkerPool: @unchecked Sendable {
    private let service: JobService
    private let makeExecution: @Sendable (JobRecord) -> JobExecution
    private var ownership: JobOwnership { service.ownership }
    private var condition: NSCondition { service.ownership.condition }
    private var stopping = false
    private var running: [String: JobExecution] = [:]
    private var threads: [Thread] = []
    private var finished = 0
    private let count: Int
    /// How long an idle worker sleeps without a wake before it looks at the store anyway.
    private let idleRecheck: TimeInterval
    /// The running executions again, under a lock of their own: `commandsPosted` is called from the
    /// Store's command feed, which runs inside `JobService.control`'s ownership lock hold.
    private let executionsLock = NSLock()
    private var executions: [String: JobExecution] = [:]

    /// `idleRecheck`: the safety net under `wake()` (every submit, release, sweep and, on a shared
    /// store, every other node's through LISTEN/NOTIFY), so a lost wake-up only delays a claim.
    init(service: JobService, count: Int, idleRecheck: TimeInterval = 2,
         makeExecution: @escaping @Sendable (JobRecord) -> JobExecution) {
        self.service = service
        self.count = count
        self.idleRecheck = idleRecheck
        self.makeExecution = makeExecution
    }

    /// A command was posted to `jobID`: its run here, if any, reads the store at its next boundary.
    func commandsPosted(job jobID: String) {
        executionsLock.withLock { executions[jobID] }?.commandsPosted()
    }

    /// Makes `execution` the run `commandsPosted(job:)` marks (the loop, at each claim; tests).
    func register(_ execution: JobExecution, job jobID: String) {
        executionsLock.withLock { executions[jobID] = execution }
    }

    func unregister(job jobID: String) { executionsLock.withLock { executions[jobID] = nil } }

    /// Every run here reads its commands at its next boundary (after notifications may have been missed).
    func commandsMayHaveBeenPosted() {
        for execution in executionsLock.withLock({ Array(executions.values) }) { execution.commandsPosted() }
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

    func wake() { ownership.wake() }

    func isRunning(_ jobID: String) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return running[jobID] != nil
    }

    /// The lease of the run of `jobID` on this node, if one runs it.
    func lease(of jobID: String) -> Lease? {
        condition.lock()
        defer { condition.unlock() }
        return running[jobID]?.lease
    }

    /// Renews the lease of every job this node's workers run (each heartbeat); a run whose renewal
    /// is refused stops by itself (`JobExecution.loseLease`).
    func renewLeases() {
        condition.lock()
        let executions = Array(running.values)
        condition.unlock()
        for execution in executions { execution.renewLease() }
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
            if !stopping && ownership.pendingWakes == 0 {
                // Also look at the store now and then without a wake: a safety net, claiming is cheap.
                _ = condition.wait(until: Date().addingTimeInterval(idleRecheck))
            }
            if stopping {
                finished += 1
                condition.broadcast()
                condition.unlock()
                return
            }
            ownership.pendingWakes = max(0, ownership.pendingWakes - 1)

            // Claim and registration under one lock hold (see `JobOwnership`): a cancel landing
            // between claim and start is never lost.
            let job: JobRecord?
            do { job = try service.claimNext() } catch {
                condition.unlock()
                Log.error("worker \(index): cannot claim a job: \(error)")
                continue
            }
            guard let job else {
                condition.unlock()
                continue
            }
            let execution = makeExecution(job)
            running[job.id] = execution
            register(execution, job: job.id)
            ownership.held.insert(job.id)
            if stopping { execution.interrupt() }
            condition.unlock()
            Log.info("worker \(index): \(job.isResume ? "resuming" : "starting") job \(job.id) (\(job.name ?? "unnamed"))")
            execution.run()
            Allocator.releaseFreeMemory()
            condition.lock()
            running[job.id] = nil
            unregister(job: job.id)
            ownership.held.remove(job.id)
            ownership.pendingWakes += 1  // look for more work at once
            // Commands that reached a job its run just parked (disk_full) while it was still held.
            let wakeAgain = service.settleParkedCommands(job: job.id)
            condition.unlock()
            if wakeAgain { wake() }
        }
    }
}
