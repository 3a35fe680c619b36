import Data
import Foundation
import JobAPI
import NN
import Store
import Training

/// One run of one job on a worker thread: prepares the model and data, runs `JobRunner`, and is
/// the runner's observer — events and metrics into the store (and out to live streams),
/// checkpoints as checksummed artifacts, control commands out of the store.
final class JobExecution: JobRunObserver, @unchecked Sendable {
    /// What a run needs from thawd, handed in rather than reached for through the daemon.
    struct Dependencies {
        var store: Store
        var preparation: JobPreparation
        var metrics: PrometheusRegistry
        /// Server paths are taken out of failure messages clients see.
        var redactor: PathRedactor
        /// `--keep-last`, for jobs whose spec does not set `keep_last`.
        var keepLast: Int
    }

    private let dependencies: Dependencies
    private let job: JobRecord
    private let lock = NSLock()
    private var interrupted = false
    /// Commands already handed to the runner, so none is applied twice.
    private var handedOut: Set<String> = []
    /// Steps already counted in `/metrics` (a resumed run starts from its checkpoint's step).
    private var lastStep = 0
    /// The run's last completed global epoch, as its events report it (places idempotency keys).
    private var epoch = 0
    /// Epoch checkpoints to keep (the spec's `keep_last`, else the daemon's).
    private var keepLast: Int
    /// Set when a checkpoint could not be written for lack of space: the run's `checkpoint_failed`
    /// then pauses the job (`disk_full`) instead of failing it.
    private var diskFull: StoreError?
    /// The claim's lease, passed with every write of this run (fencing, `Store+Leases.swift`).
    let lease: Lease?
    /// Set when a write (or a renewal) was refused with `leaseLost`: another node has the job now.
    /// The run is interrupted and writes nothing more.
    private var leaseLost = false
    /// Whether a command may be waiting in the store: set by `commandsPosted()` (this node's own
    /// post, or another node's through LISTEN/NOTIFY) and at the start, so commands posted before the
    /// claim are read at the first boundary. `takeCommands` reads the store only when it is set, or
    /// once `commandRecheckSeconds` passed since the last read (a lost notification only delays).
    private var commandsMayBePending = true
    private var commandsReadAt = Date.distantPast
    /// The safety net under the wake-ups: a run reads its commands at least this often.
    static let commandRecheckSeconds: TimeInterval = 5
    /// `commandRecheckSeconds`; shorter in tests of the safety net.
    var commandRecheck = JobExecution.commandRecheckSeconds
    private var store: Store { dependencies.store }

    init(_ dependencies: Dependencies, job: JobRecord) {
        self.dependencies = dependencies
        self.job = job
        lease = job.lease
        lastStep = job.step ?? 0
        keepLast = dependencies.keepLast
    }

    func interrupt() { lock.withLock { interrupted = true } }

    /// A command was posted to this job: the next batch boundary reads the store.
    func commandsPosted() { lock.withLock { commandsMayBePending = true } }
    var shouldInterrupt: Bool { lock.withLock { interrupted } }

    /// The job is no longer this run's (its lease was refused): stop at the next batch boundary and
    /// write nothing more, not even the outcome.
    func loseLease() {
        let first = lock.withLock { () -> Bool in
            defer { leaseLost = true; interrupted = true }
            return !leaseLost
        }
        if first { Log.warning("job \(job.id): this node's lease on it is gone (another node took it back); stopping the run without further writes") }
    }

    var hasLostLease: Bool { lock.withLock { leaseLost } }

    /// Renews the lease (each heartbeat); a refusal stops the run (`loseLease`).
    func renewLease() {
        guard let lease, !hasLostLease else { return }
        do { try store.renewLease(lease) } catch {
            if case .leaseLost = error { loseLease() } else { Log.warning("job \(job.id): cannot renew its lease: \(error)") }
        }
    }

    /// Every store write of the run goes through here: none once the lease is lost, and a `leaseLost`
    /// refusal stops the run.
    @discardableResult
    private func write<T>(_ body: (Lease?) throws -> T) throws -> T {
        if hasLostLease { throw StoreError.leaseLost(job: job.id) }
        do { return try body(lease) } catch let error as StoreError {
            if case .leaseLost = error { loseLease() }
            throw error
        }
    }

    func run() {
        let outcome: JobRunOutcome
        do {
            // Belt and braces: a cancel cannot land between claim and registration (`WorkerPool`
            // does both under the lock `postControl` checks ownership under), but a record that is
            // already final is never trained.
            let current = try store.job(job.id)
            if current.status.isTerminal {
                Log.info("job \(job.id) ended before it started (\(current.status.rawValue))")
                return
            }
            let input = try dependencies.preparation.input(for: job)
            keepLast = input.spec.keepLast ?? keepLast
            outcome = JobRunner(input: input, observer: self).run()
        } catch let error as JobPreparation.Failure {
            outcome = .failed(code: FailureCode(rawValue: error.code) ?? .preparationFailed, message: error.message)
        } catch {
            outcome = .failed(code: .preparationFailed, message: "\(error)")
        }
        finish(outcome)
    }

    private func finish(_ outcome: JobRunOutcome) {
        if hasLostLease {
            Log.info("job \(job.id): run stopped after losing its lease; its outcome is the new holder's to write")
            return
        }
        do {
            switch outcome {
            case .succeeded(let report):
                try transition(to: .succeeded, result: report.resultJSON())
            case .stopped(let report):
                try transition(to: .stopped, result: report.resultJSON())
            case .cancelled:
                try transition(to: .cancelled, result: nil)
            case .interrupted:
                // Released, so the next start resumes it without counting a crash (--max-attempts).
                try write { try store.releaseJob(job.id, lease: $0) }
                Log.info("job \(job.id) interrupted; it resumes from its last checkpoint on the next start")
            case .failed(.checkpointFailed, _) where lock.withLock({ diskFull }) != nil:
                let message = "no space left on the data dir's file system to write a checkpoint; the previous "
                    + "checkpoint is intact: free some space, then resume the job"
                Log.warning("job \(job.id) paused: disk_full (\(lock.withLock { diskFull }!))")
                try write { try store.parkJob(job.id, failure: JobFailure(code: FailureCode.diskFull.rawValue, message: message), lease: $0) }
            case .failed(let code, let rawMessage):
                // The message is shown to clients (GET /v1/jobs/{id}): no server paths in it.
                let message = dependencies.redactor.redact(rawMessage)
                Log.warning("job \(job.id) failed: \(code.rawValue): \(message)")
                try transition(to: .failed, result: nil, failure: JobFailure(code: code.rawValue, message: message))
            }
        } catch {
            Log.error("job \(job.id): cannot record its outcome: \(error)")
        }
    }

    /// Moves the job to a final state unless something (a cancel that raced the run) already did.
    private func transition(to status: JobStatus, result: String?, failure: JobFailure? = nil) throws {
        let current = try store.job(job.id)
        if current.status.isTerminal { return }
        if current.status == .paused && status == .succeeded {
            try write { try store.transitionJob(job.id, to: .running, lease: $0) }
        }
        let record = try write { try store.transitionJob(job.id, to: status, result: result, failure: failure, lease: $0) }
        Log.info("job \(job.id) \(record.status.rawValue)")
    }

    // MARK: JobRunObserver

    func emit(_ event: TrainingEvent) {
        switch event {
        case .run(let run): epoch = run.globalEpoch
        case .epoch(let e): epoch = e.globalEpoch
        default: break
        }
        do {
            // The state row (phase, epoch, step, groups, metrics) is updated in the append's transaction.
            try write { try store.appendEvent(job: job.id, event: event, key: event.idempotencyKey(epoch: epoch), lease: $0) }
            switch event {
            case .epoch(let e):
                let values = try event.payloadText()
                try write { try store.recordMetrics(job: job.id, phase: e.phase, epoch: e.globalEpoch, values: values, lease: $0) }
                dependencies.metrics.increment("thaw_training_epochs_total")
                dependencies.metrics.increment("thaw_training_steps_total", by: Double(max(0, e.globalStep - lastStep)))
                lastStep = e.globalStep
            case .control(let control):
                try acknowledge(control)
            default:
                break
            }
        } catch {
            Log.error("job \(job.id): cannot store a \(event.type.rawValue) event: \(error)")
        }
    }

    /// Resolves the command a `control` event acknowledges, and mirrors pause/resume in the job status.
    private func acknowledge(_ control: ControlEvent) throws {
        guard let id = control.id else { return }
        try write { try store.resolveCommand(id, as: control.ok ? .applied : .rejected, message: control.error, lease: $0) }
        guard control.ok else { return }
        // Two pauses (or resumes) in a row are both accepted by the API; the second changes nothing.
        let target: JobStatus? = switch control.action {
        case .pause: .paused
        case .resume: .running
        default: nil
        }
        if let target, try store.job(job.id).status != target {
            try write { try store.transitionJob(job.id, to: target, lease: $0) }
        }
    }

    func saveCheckpoint(_ checkpoint: CheckpointPayload) throws {
        do {
            try storeCheckpoint(checkpoint)
        } catch let error as StoreError where error.isDiskFull {
            lock.withLock { diskFull = error }
            throw error
        }
    }

    private func storeCheckpoint(_ checkpoint: CheckpointPayload) throws {
        let metrics = (try? Wire.encode(checkpoint.event.metrics.mapValues { $0.flatMap { $0.isFinite ? $0 : nil } }))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        switch checkpoint.kind {
        case .best:
            try write { try store.addCheckpoint(job: job.id, kind: .best, epoch: checkpoint.globalEpoch, metrics: metrics,
                                                source: .bytes(checkpoint.weights), lease: $0) }
            let best = TrainingEvent.best(checkpoint.bestEvent)
            try write { try store.appendEvent(job: job.id, event: best, key: best.idempotencyKey(epoch: epoch), lease: $0) }
        case .epoch:
            try write { try store.addCheckpoint(job: job.id, kind: .epoch, epoch: checkpoint.globalEpoch, metrics: metrics,
                                                source: .bytes(checkpoint.weights), lease: $0) }
            if let state = checkpoint.state {
                // The resume point and its `checkpoint` event commit together: after this commit the
                // epoch is never re-run, so the runner's own emit (deduplicated by key) may not come.
                let event = TrainingEvent.checkpoint(checkpoint.event)
                let key = event.idempotencyKey(epoch: epoch)
                try write { try store.addCheckpoint(job: job.id, kind: .last, epoch: checkpoint.globalEpoch, metrics: metrics,
                                                    source: .bytes(state), event: (event, key), lease: $0) }
            }
            // Retention: older epoch files go once the new resume point is stored. A failure here
            // only leaves extra files, never a job without a resume point.
            do { try write { try store.pruneEpochCheckpoints(job: job.id, keepLast: keepLast, lease: $0) } } catch {
                Log.warning("job \(job.id): cannot prune old checkpoints: \(error)")
            }
        }
    }

    /// At every batch boundary (every 50 ms while paused): one store read only when a command may be
    /// waiting, so a run costs the database nothing per batch. The flag is cleared before the read, so
    /// a post that commits during the read sets it again and is read at the next boundary.
    func takeCommands() -> [PendingCommand] {
        let due = lock.withLock { () -> Bool in
            let now = Date()
            guard commandsMayBePending || now.timeIntervalSince(commandsReadAt) >= commandRecheck else { return false }
            commandsMayBePending = false
            commandsReadAt = now
            return true
        }
        guard due, !hasLostLease, let pending = try? store.pendingCommands(job: job.id) else { return [] }
        var out: [PendingCommand] = []
        for record in pending where lock.withLock({ handedOut.insert(record.id).inserted }) {
            switch ControlCommand.parse(action: record.type, body: Data(record.payload.utf8)) {
            case .success(let command): out.append(PendingCommand(id: record.id, command: command))
            case .failure(let error):
                _ = try? write { try store.resolveCommand(record.id, as: .rejected, message: error.description, lease: $0) }
            }
        }
        return out
    }
}
