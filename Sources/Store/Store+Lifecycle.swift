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
    ///
    /// `node`: only jobs that node (or no node) claimed — a thawd restarting on a database other live
    /// nodes share takes back its own previous process's jobs and leaves theirs to their leases
    /// (`requeueExpiredLeases`). nil: every job (one node, SQLite).
    public func recoverInterruptedJobs(failingAfter maxCrashes: Int, node: String? = nil) throws(StoreError) -> JobRecovery {
        guard maxCrashes >= 1 else { throw .invalidArgument(field: "max_attempts", reason: "must be at least 1") }
        return try notifying { try $0.recoverInterruptedJobs(failingAfter: maxCrashes, node: node) }
    }

    /// A worker lets go of a live job at a graceful shutdown: the job keeps its status and is marked
    /// `interrupted` (with an `interrupted` event, reason `shutdown`) so the next start resumes it without
    /// counting a crash. No-op for a job that is not active or already interrupted.
    /// With `lease`, fenced (`leaseLost` if the worker no longer holds the job); the lease is cleared.
    @discardableResult
    public func releaseJob(_ id: String, lease: Lease? = nil) throws(StoreError) -> JobRecord {
        try notifying { try $0.releaseJob(id, lease: lease) }
    }

    /// Pauses a job no worker can go on with (its checkpoint could not be written: `disk_full`): status
    /// `paused` with `failure` as its error, and `interrupted`, so that `resume` (paused → running,
    /// which clears the error) hands it to a worker that restores its last checkpoint.
    /// With `lease`, fenced; the lease is cleared.
    @discardableResult
    public func parkJob(_ id: String, failure: JobFailure, lease: Lease? = nil) throws(StoreError) -> JobRecord {
        try notifying { try $0.parkJob(id, failure: failure, lease: lease) }
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
    func recoverInterruptedJobs(failingAfter maxCrashes: Int, node: String? = nil) throws -> JobRecovery {
        try interruptOrphans(where: node == nil ? nil : "(node = ? OR node IS NULL)", node.map { [.text($0)] } ?? [],
                             failingAfter: maxCrashes, reason: nil)
    }

    func releaseJob(_ id: String, lease: Lease?) throws -> JobRecord {
        try fenced(lease) {
            let job = try requireJob(id)
            guard job.status.isActive, !job.interrupted else { return job }
            try write("UPDATE jobs SET interrupted = 1, lease_token = NULL, lease_expires_at = NULL WHERE id = ?", [.text(id)])
            _ = try appendEvent(jobID: id, event: .interrupted(InterruptedEvent(status: job.status.rawValue, reason: .shutdown)), key: nil)
            if job.status == .running { notify(.claimable(job: id)) }
            return try requireJob(id)
        }
    }

    func parkJob(_ id: String, failure: JobFailure, lease: Lease?) throws -> JobRecord {
        try fenced(lease) {
            let job = try requireJob(id)
            if job.status == .paused {
                try write("UPDATE jobs SET error_code = ?, error_message = ? WHERE id = ?",
                          [.text(failure.code), .text(failure.message), .text(id)])
            } else {
                _ = try transitionJob(id, to: .paused, result: nil, failure: failure)
            }
            try write("UPDATE jobs SET interrupted = 1, lease_token = NULL, lease_expires_at = NULL WHERE id = ?", [.text(id)])
            return try requireJob(id)
        }
    }
}
