import Foundation
import JobAPI
import SQLite

/// What start-up recovery found: jobs left interrupted (to resume) and jobs it failed as poison.
public struct JobRecovery: Sendable, Equatable {
    /// Interrupted `running` and `paused` jobs, in claim order.
    public var interrupted: [JobRecord]
    /// Jobs whose `crashes` reached the limit: now `failed` with code `crashed_repeatedly`.
    public var failed: [JobRecord]
}

extension Store {
    /// `recoverInterruptedJobs()` that also counts crashes. A `running` job found with
    /// `interrupted = 0` was in a worker's hands when the previous process died (a graceful shutdown
    /// calls `releaseJob` first, which sets the flag): its `crashes` goes up by one. A job whose
    /// `crashes` reaches `maxCrashes` (>= 1, thawd's `--max-attempts`) is failed with
    /// `crashed_repeatedly` instead of being re-claimed first on every start — a crash loop.
    /// Idempotent like the plain form.
    public func recoverInterruptedJobs(failingAfter maxCrashes: Int) throws(StoreError) -> JobRecovery {
        guard maxCrashes >= 1 else { throw .invalidArgument(field: "max_attempts", reason: "must be at least 1") }
        return try notifying { try $0.recoverInterruptedJobs(failingAfter: maxCrashes) }
    }

    /// A worker lets go of a live job at a graceful shutdown: the job keeps its status and is marked
    /// `interrupted` (with an `interrupted` event, reason `shutdown`) so the next start resumes it without
    /// counting a crash. No-op for a job that is not active or already interrupted.
    @discardableResult
    public func releaseJob(_ id: String) throws(StoreError) -> JobRecord {
        try notifying { try $0.releaseJob(id) }
    }

    /// Pauses a job no worker can go on with (its checkpoint could not be written: `disk_full`): status
    /// `paused` with `failure` as its error, and `interrupted`, so that `resume` (paused → running,
    /// which clears the error) hands it to a worker that restores its last checkpoint.
    @discardableResult
    public func parkJob(_ id: String, failure: JobFailure) throws(StoreError) -> JobRecord {
        try notifying { try $0.parkJob(id, failure: failure) }
    }

    /// Deletes a finished job with its events, commands, metrics, checkpoint rows and files. A job that
    /// is not terminal is a `conflict` (cancel or stop it first). Models promoted from the job stay.
    public func deleteJob(_ id: String) throws(StoreError) {
        let paths = try sync { connection in
            try connection.transaction { () throws -> [String] in
                let job = try connection.requireJob(id)
                guard job.status.isTerminal else {
                    throw StoreError.conflict(kind: "job", id: id,
                                              reason: "job is \(job.status.rawValue); only a finished job can be deleted (cancel or stop it first)")
                }
                let paths = try connection.checkpoints(where: "job_id = ?", [.text(id)]).map(\.artifact.path)
                // ON DELETE CASCADE removes events, commands, checkpoints and metrics with it.
                try connection.write("DELETE FROM jobs WHERE id = ?", [.text(id)])
                return paths
            }
        }
        let files = artifactFiles
        paths.forEach(files.remove)
        if RandomID.isWellFormed(id, prefix: "job") { rmdir(files.absolute("checkpoints/\(id)")) }
    }
}

extension StoreConnection {
    func recoverInterruptedJobs(failingAfter maxCrashes: Int) throws -> JobRecovery {
        try transaction {
            let orphans = try read(
                "SELECT id, status FROM jobs WHERE status IN ('running', 'paused') AND interrupted = 0 ORDER BY seq")
            var failed: [JobRecord] = []
            for row in orphans {
                guard let id = row[0].string, let status = row[1].string else { continue }
                var event = InterruptedEvent(status: status)
                if status == JobStatus.running.rawValue {
                    try write("UPDATE jobs SET crashes = crashes + 1 WHERE id = ?", [.text(id)])
                    event.crashes = try requireJob(id).crashes
                }
                try write("UPDATE jobs SET interrupted = 1 WHERE id = ?", [.text(id)])
                _ = try appendEvent(jobID: id, event: .interrupted(event), key: nil)
                let job = try requireJob(id)
                if job.status == .running && job.crashes >= maxCrashes {
                    failed.append(try transitionJob(id, to: .failed, result: nil, failure: JobFailure(
                        code: FailureCode.crashedRepeatedly.rawValue,
                        message: "the process died during \(job.crashes) start(s) of this job (max_attempts \(maxCrashes)); it is not started again"
                    )))
                }
            }
            let interrupted = try read(
                JobRecord.selectSQL
                    + " WHERE status IN ('running', 'paused') AND interrupted = 1"
                    + " ORDER BY status = 'running' DESC, priority DESC, seq"
            ).map { try JobRecord(RowReader(table: "jobs", columns: JobRecord.columns, row: $0)) }
            return JobRecovery(interrupted: interrupted, failed: failed)
        }
    }

    func releaseJob(_ id: String) throws -> JobRecord {
        try transaction {
            let job = try requireJob(id)
            guard job.status.isActive, !job.interrupted else { return job }
            try write("UPDATE jobs SET interrupted = 1 WHERE id = ?", [.text(id)])
            _ = try appendEvent(jobID: id, event: .interrupted(InterruptedEvent(status: job.status.rawValue, reason: .shutdown)), key: nil)
            return try requireJob(id)
        }
    }

    func parkJob(_ id: String, failure: JobFailure) throws -> JobRecord {
        try transaction {
            let job = try requireJob(id)
            if job.status == .paused {
                try write("UPDATE jobs SET error_code = ?, error_message = ? WHERE id = ?",
                          [.text(failure.code), .text(failure.message), .text(id)])
            } else {
                _ = try transitionJob(id, to: .paused, result: nil, failure: failure)
            }
            try write("UPDATE jobs SET interrupted = 1 WHERE id = ?", [.text(id)])
            return try requireJob(id)
        }
    }
}
