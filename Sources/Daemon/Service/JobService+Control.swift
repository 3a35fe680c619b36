import Foundation
import JobAPI
import Store
import Training

extension JobService {
    /// Validates a control command against the job's state and groups and stores it; the worker
    /// applies it at the next batch boundary and acknowledges it with a `control` event. Jobs no
    /// worker holds (queued, or parked: paused across a restart) are changed right here.
    /// `body` is the request body (syntax already checked; empty counts as `{}`).
    func control(_ action: String, job id: String, body: [UInt8]) throws -> CommandView {
        let job = try store.job(id)
        let command: ControlCommand
        switch ControlCommand.parse(action: action, body: Data(body)) {
        case .failure(let error): throw JobServiceError.invalid(error.problems)
        case .success(let parsed): command = parsed
        }
        guard !job.status.isTerminal else {
            throw JobServiceError.conflict(.illegalState, message: "job '\(job.id)' is \(job.status.rawValue); it takes no more commands")
        }
        switch command {
        case .unfreeze, .freeze, .setLR:
            let (_, context) = try context(for: job)
            // Names and counts are checked against the model now; what depends on the run's state
            // (a freeze that would leave nothing trainable, an LR pushed above 10) is the runner's call.
            let problems = GroupState(groups: context.groupLayers).problemsWithAnyState(command)
            if !problems.isEmpty { throw JobServiceError.invalid(problems) }
        case .pause:
            guard job.status == .running else {
                throw JobServiceError.conflict(.illegalState, message: "only a running job can be paused (it is \(job.status.rawValue))")
            }
        case .resume:
            guard job.status == .paused else {
                throw JobServiceError.conflict(.illegalState, message: "only a paused job can be resumed (it is \(job.status.rawValue))")
            }
        case .stop:
            guard job.status != .queued else {
                throw JobServiceError.conflict(.illegalState, message: "job '\(job.id)' has not started; cancel it instead")
            }
        case .cancel:
            break
        }
        let payload = String(decoding: body.isEmpty ? Array("{}".utf8) : body, as: UTF8.self)
        // Decided under the ownership lock, so no worker claims the job between the check and the change.
        let (record, wake) = try ownership.withOwnership(of: job.id) { heldHere -> (CommandRecord, Bool) in
            let current = try store.job(job.id)
            // A live lease means some node's worker (this one's or another's) holds the run: the
            // command is left to it, and it reads it from the store at its next batch boundary.
            let held = heldHere || (current.leaseToken != nil && !current.interrupted)
            if !held, current.status == .paused, current.interrupted, Self.needsLiveRun(command) {
                throw JobServiceError.conflict(.illegalState, message: Self.parkedReason(current, action))
            }
            let record = try store.postCommand(job: job.id, type: action, payload: payload)
            let wake = held ? false : try applyOffline(command, commandID: record.id, job: current)
            return (record, wake)
        }
        if wake { ownership.wake() }
        let stored = try? store.command(record.id)
        return CommandView(id: record.id, jobID: job.id, action: action, status: stored?.status.rawValue ?? "pending",
                           message: stored?.message)
    }
}

/// Commands to jobs no worker holds: queued ones (not started yet) and parked ones — paused with no
/// training state in memory, because thawd restarted while they were paused or their run paused them
/// with `disk_full`. Such a command is applied or rejected with a reason right away; only commands to
/// a job that a worker will pick up by itself (queued, or interrupted while running) wait for its run.
extension JobService {
    /// Applies `command` (stored as `commandID`) to a job no worker holds. Call inside
    /// `ownership.withOwnership` with `held == false`. Returns true when a worker should be woken (the
    /// job became claimable); the caller wakes after leaving `withOwnership`.
    func applyOffline(_ command: ControlCommand, commandID: String, job: JobRecord) throws -> Bool {
        switch command {
        case .cancel:
            try store.transitionJob(job.id, to: .cancelled, applying: commandID)
        case .resume where job.status == .paused:
            try store.transitionJob(job.id, to: .running)  // keeps `interrupted`: resumes from its checkpoint
            try store.resolveCommand(commandID, as: .applied)
            return true
        case .stop where job.status == .paused:
            // What was trained is what the checkpoints hold (`best` for download or promotion).
            let result = "{\"stop_reason\":\"\(StopReason.userStop.rawValue)\",\"epochs\":\(job.epoch ?? 0)}"
            try store.transitionJob(job.id, to: .stopped, result: result, applying: commandID)
        case _ where job.status == .paused:
            try store.resolveCommand(commandID, as: .rejected, message: Self.parkedReason(job, command.action))
        default:
            break  // a queued or interrupted running job: its run applies it at the first batch
        }
        return false
    }

    /// Why a command that needs a live run cannot go to a parked job.
    static func parkedReason(_ job: JobRecord, _ action: String) -> String {
        let why = job.failure?.code == FailureCode.diskFull.rawValue
            ? "it was paused for lack of disk space (disk_full)" : "thawd restarted while it was paused"
        return "job '\(job.id)' is paused and no worker holds its training state (\(why)): resume it first, then send \(action) again"
    }

    /// Whether `command` needs the job's run in memory (rejected for parked jobs).
    static func needsLiveRun(_ command: ControlCommand) -> Bool {
        switch command {
        case .cancel, .resume, .stop: return false
        case .pause, .unfreeze, .freeze, .setLR: return true
        }
    }

    /// Resolves the pending commands of a parked job, oldest first, the way `control` resolves new
    /// ones: at start-up for jobs paused across the restart, and when a run parks its job. Call with
    /// the ownership lock held (or before the workers start); returns true when a worker should be woken.
    @discardableResult
    func settleParkedCommands(job jobID: String) -> Bool {
        var wake = false
        do {
            for record in try store.pendingCommands(job: jobID) {
                let job = try store.job(jobID)
                guard job.status == .paused, job.interrupted else { break }
                switch ControlCommand.parse(action: record.type, body: Data(record.payload.utf8)) {
                case .success(let command):
                    wake = try applyOffline(command, commandID: record.id, job: job) || wake
                case .failure(let error):
                    try store.resolveCommand(record.id, as: .rejected, message: error.description)
                }
            }
        } catch {
            Log.error("job \(jobID): cannot settle its pending commands: \(error)")
        }
        return wake
    }
}
