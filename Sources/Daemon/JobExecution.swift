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
    private unowned let daemon: Daemon
    private let job: JobRecord
    private let lock = NSLock()
    private var interrupted = false
    /// Commands already handed to the runner, so none is applied twice.
    private var handedOut: Set<String> = []
    /// Steps already counted in `/metrics` (a resumed run starts from its checkpoint's step).
    private var lastStep = 0
    /// The run's last completed global epoch, as its events report it (places `EventKey`s).
    private var epoch = 0
    /// Epoch checkpoints to keep (the spec's `keep_last`, else the daemon's).
    private var keepLast: Int
    /// Set when a checkpoint could not be written for lack of space: the run's `checkpoint_failed`
    /// then pauses the job (`disk_full`) instead of failing it.
    private var diskFull: StoreError?
    private var store: Store { daemon.store }

    init(daemon: Daemon, job: JobRecord) {
        self.daemon = daemon
        self.job = job
        lastStep = job.step ?? 0
        keepLast = daemon.configuration.keepLast
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
            let input = try daemon.jobPreparation.input(for: job)
            keepLast = input.spec.keepLast ?? keepLast
            outcome = JobRunner(input: input, observer: self).run()
        } catch let error as JobPreparation.Failure {
            outcome = .failed(code: error.code, message: error.message)
        } catch {
            outcome = .failed(code: "preparation_failed", message: "\(error)")
        }
        finish(outcome)
    }

    private func finish(_ outcome: JobRunOutcome) {
        do {
            switch outcome {
            case .succeeded(let report):
                try transition(to: .succeeded, result: resultJSON(report))
            case .stopped(let report):
                try transition(to: .stopped, result: resultJSON(report))
            case .cancelled:
                try transition(to: .cancelled, result: nil)
            case .interrupted:
                // Released, so the next start resumes it without counting a crash (--max-attempts).
                try store.releaseJob(job.id)
                Log.info("job \(job.id) interrupted; it resumes from its last checkpoint on the next start")
            case .failed(let code, _) where code == "checkpoint_failed" && lock.withLock({ diskFull }) != nil:
                let message = "no space left on the data dir's file system to write a checkpoint; the previous "
                    + "checkpoint is intact: free some space, then resume the job"
                Log.warning("job \(job.id) paused: disk_full (\(lock.withLock { diskFull }!))")
                try store.parkJob(job.id, failure: JobFailure(code: "disk_full", message: message))
            case .failed(let code, let rawMessage):
                // The message is shown to clients (GET /v1/jobs/{id}): no server paths in it.
                let message = PathRedactor(configuration: daemon.configuration).redact(rawMessage)
                Log.warning("job \(job.id) failed: \(code): \(message)")
                try transition(to: .failed, result: nil, failure: JobFailure(code: code, message: message))
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

    private func resultJSON(_ report: FinalReport) -> String {
        var object: [String: Any] = [
            "epochs": report.epochs, "best_metric": report.bestMetric, "restored_best": report.restoredBest,
        ]
        object["stop_reason"] = report.stopReason ?? NSNull()
        object["best_value"] = report.bestValue.flatMap { $0.isFinite ? $0 : nil } ?? NSNull()
        object["best_epoch"] = report.bestEpoch ?? NSNull()
        if let test = report.test, test.loss.isFinite {
            object["test_loss"] = test.loss
            object["test_accuracy"] = test.accuracy
        }
        if let tta = report.testTTA, tta.loss.isFinite {
            object["tta_loss"] = tta.loss
            object["tta_accuracy"] = tta.accuracy
        }
        if let lrFind = report.lrFind, let data = try? JSONEncoder().encode(lrFind),
           let parsed = try? JSONSerialization.jsonObject(with: data) {
            object["lr_find"] = parsed
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: JobRunObserver

    func emit(type: String, payload: JSONValue) {
        let text = payload.jsonText
        if case .object(let fields) = payload, type == "status" || type == "epoch",
           let global = fields["global_epoch"]?.numberValue {
            epoch = Int(global)
        }
        // The store writes its own `status` events on every transition; the runner's view of its life
        // cycle (started, resumed, ...) is kept as `run`.
        let stored = type == "status" ? "run" : type
        let key = EventKey.key(type: stored, payload: payload, epoch: epoch)
        do {
            switch type {
            case "status":
                try store.appendEvent(job: job.id, type: stored, payload: text, key: key)
            case "epoch":
                try store.appendEvent(job: job.id, type: type, payload: text, key: key)
                if case .object(let fields) = payload {
                    let phase = fields["phase"]?.stringValue ?? ""
                    let global = Int(fields["global_epoch"]?.numberValue ?? 0)
                    let step = fields["global_step"]?.numberValue.map { Int($0) }
                    try store.recordMetrics(job: job.id, phase: phase, epoch: global, values: text)
                    try store.updateProgress(job.id, phase: phase, epoch: global, step: step)
                    daemon.metrics.increment("thaw_training_epochs_total")
                    if let step {
                        daemon.metrics.increment("thaw_training_steps_total", by: Double(max(0, step - lastStep)))
                        lastStep = step
                    }
                }
            case "phase":
                try store.appendEvent(job: job.id, type: type, payload: text, key: key)
                if case .object(let fields) = payload, let phase = fields["phase"]?.stringValue {
                    try store.updateProgress(job.id, phase: phase)
                }
            case "control":
                try store.appendEvent(job: job.id, type: type, payload: text, key: key)
                try acknowledge(payload)
            default:
                try store.appendEvent(job: job.id, type: type, payload: text, key: key)
            }
        } catch {
            Log.error("job \(job.id): cannot store a \(type) event: \(error)")
        }
    }

    /// Resolves the command a `control` event acknowledges, and mirrors pause/resume in the job status.
    private func acknowledge(_ payload: JSONValue) throws {
        guard case .object(let fields) = payload, let id = fields["id"]?.stringValue else { return }
        let ok = fields["ok"]?.boolValue ?? false
        try store.resolveCommand(id, as: ok ? .applied : .rejected, message: fields["error"]?.stringValue)
        guard ok else { return }
        // Two pauses (or resumes) in a row are both accepted by the API; the second changes nothing.
        let target: JobStatus? = switch fields["action"]?.stringValue {
        case "pause": .paused
        case "resume": .running
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
        let metrics = JSONValue.object(checkpoint.metrics.mapValues { .number($0) }).jsonText
        switch checkpoint.kind {
        case .best:
            try store.addCheckpoint(job: job.id, kind: .best, epoch: checkpoint.globalEpoch, metrics: metrics,
                                    source: .bytes(checkpoint.weights))
            var best: [String: JSONValue] = checkpoint.metrics.mapValues { .number($0) }
            best["global_epoch"] = .number(Double(checkpoint.globalEpoch))
            best["phase"] = .string(checkpoint.phaseName)
            best["epoch"] = .number(Double(checkpoint.epoch))
            let payload = JSONValue.object(best)
            try store.appendEvent(job: job.id, type: "best", payload: payload.jsonText,
                                  key: EventKey.key(type: "best", payload: payload, epoch: epoch))
        case .epoch:
            try store.addCheckpoint(job: job.id, kind: .epoch, epoch: checkpoint.globalEpoch, metrics: metrics,
                                    source: .bytes(checkpoint.weights))
            if let state = checkpoint.state {
                // The resume point and its `checkpoint` event commit together: after this commit the
                // epoch is never re-run, so the runner's own emit (deduplicated by key) may not come.
                let event = checkpoint.eventPayload
                try store.addCheckpoint(job: job.id, kind: .last, epoch: checkpoint.globalEpoch, metrics: metrics,
                                        source: .bytes(state),
                                        event: ("checkpoint", event.jsonText, EventKey.key(type: "checkpoint", payload: event, epoch: epoch)))
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
