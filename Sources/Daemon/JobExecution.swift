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
    private var store: Store { dependencies.store }

    init(_ dependencies: Dependencies, job: JobRecord) {
        self.dependencies = dependencies
        self.job = job
        lastStep = job.step ?? 0
        keepLast = dependencies.keepLast
    }

    func interrupt() { lock.withLock { interrupted = true } }
    var shouldInterrupt: Bool { lock.withLock { interrupted } }

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
                try store.releaseJob(job.id)
                Log.info("job \(job.id) interrupted; it resumes from its last checkpoint on the next start")
            case .failed(.checkpointFailed, _) where lock.withLock({ diskFull }) != nil:
                let message = "no space left on the data dir's file system to write a checkpoint; the previous "
                    + "checkpoint is intact: free some space, then resume the job"
                Log.warning("job \(job.id) paused: disk_full (\(lock.withLock { diskFull }!))")
                try store.parkJob(job.id, failure: JobFailure(code: FailureCode.diskFull.rawValue, message: message))
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
            try store.transitionJob(job.id, to: .running)
        }
        let record = try store.transitionJob(job.id, to: status, result: result, failure: failure)
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
            try store.appendEvent(job: job.id, event: event, key: event.idempotencyKey(epoch: epoch))
            switch event {
            case .epoch(let e):
                try store.recordMetrics(job: job.id, phase: e.phase, epoch: e.globalEpoch, values: try event.payloadText())
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
        try store.resolveCommand(id, as: control.ok ? .applied : .rejected, message: control.error)
        guard control.ok else { return }
        // Two pauses (or resumes) in a row are both accepted by the API; the second changes nothing.
        let target: JobStatus? = switch control.action {
        case .pause: .paused
        case .resume: .running
        default: nil
        }
        if let target, try store.job(job.id).status != target {
            try store.transitionJob(job.id, to: target)
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
            try store.addCheckpoint(job: job.id, kind: .best, epoch: checkpoint.globalEpoch, metrics: metrics,
                                    source: .bytes(checkpoint.weights))
            let best = TrainingEvent.best(checkpoint.bestEvent)
            try store.appendEvent(job: job.id, event: best, key: best.idempotencyKey(epoch: epoch))
        case .epoch:
            try store.addCheckpoint(job: job.id, kind: .epoch, epoch: checkpoint.globalEpoch, metrics: metrics,
                                    source: .bytes(checkpoint.weights))
            if let state = checkpoint.state {
                // The resume point and its `checkpoint` event commit together: after this commit the
                // epoch is never re-run, so the runner's own emit (deduplicated by key) may not come.
                let event = TrainingEvent.checkpoint(checkpoint.event)
                try store.addCheckpoint(job: job.id, kind: .last, epoch: checkpoint.globalEpoch, metrics: metrics,
                                        source: .bytes(state), event: (event, event.idempotencyKey(epoch: epoch)))
            }
            // Retention: older epoch files go once the new resume point is stored. A failure here
            // only leaves extra files, never a job without a resume point.
            do { try store.pruneEpochCheckpoints(job: job.id, keepLast: keepLast) } catch {
                Log.warning("job \(job.id): cannot prune old checkpoints: \(error)")
            }
        }
    }

    func takeCommands() -> [PendingCommand] {
        guard let pending = try? store.pendingCommands(job: job.id) else { return [] }
        var out: [PendingCommand] = []
        for record in pending where lock.withLock({ handedOut.insert(record.id).inserted }) {
            switch ControlCommand.parse(action: record.type, body: Data(record.payload.utf8)) {
            case .success(let command): out.append(PendingCommand(id: record.id, command: command))
            case .failure(let error):
                try? store.resolveCommand(record.id, as: .rejected, message: error.description)
            }
        }
        return out
    }
}
