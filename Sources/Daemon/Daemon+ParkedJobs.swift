import Foundation
import JobAPI
import Store
import Training

/// Commands to jobs no worker holds: queued ones (not started yet) and parked ones — paused with no
/// training state in memory, because thawd restarted while they were paused or their run paused them
/// with `disk_full`. Such a command is applied or rejected with a reason right away; only commands to
/// a job that a worker will pick up by itself (queued, or interrupted while running) wait for its run.
extension Daemon {
    /// Applies `command` (stored as `commandID`) to a job no worker holds. Call inside
    /// `workers.withOwnership` with `held == false`. Returns true when a worker should be woken (the
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
            let result = "{\"stop_reason\":\"user_stop\",\"epochs\":\(job.epoch ?? 0)}"
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
        let why = job.failure?.code == "disk_full" ? "it was paused for lack of disk space (disk_full)" : "thawd restarted while it was paused"
        return "job '\(job.id)' is paused and no worker holds its training state (\(why)): resume it first, then send \(action) again"
    }

    /// Whether `command` needs the job's run in memory (rejected for parked jobs).
    static func needsLiveRun(_ command: ControlCommand) -> Bool {
        switch command {
        case .cancel, .resume, .stop: return false
        case .pause, .unfreeze, .freeze, .setLR: return true
        }
    }

    /// Resolves the pending commands of a parked job, oldest first, the way `postControl` resolves
    /// new ones: at start-up for jobs paused across the restart, and when a run parks its job. Call
    /// with the pool locked (inside `withOwnership`, or from the worker loop); returns true when a
    /// worker should be woken.
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
