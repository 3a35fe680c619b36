import Foundation
import JobAPI
import SQLite

/// Leases and fencing (docs/store.md, "Leases"): a claim gives the claiming worker a lease on the job
/// (its node, a random token, an expiry `StoreConfiguration.leaseTimeout` ahead), the worker renews it
/// every heartbeat, and every write its run makes passes the lease: the write's transaction first
/// checks that the job still carries that token (on PostgreSQL with the row locked until the commit),
/// so a worker whose lease was taken back (its node froze or lost the network past the timeout, and
/// a sweep re-queued the job for another node) has each late write refused with `leaseLost` and
/// nothing changed.
extension Migration {
    static let leases = Migration(name: "0009_leases", sql: leasesSQL, postgres: leasesSQL)

    /// The same text in both dialects. `job_events.node` / `.lease`: who wrote each event (NULL for
    /// writes made by no worker: submissions, API commands, recovery), so a job's history shows that
    /// no two leases ever wrote it at once.
    private static let leasesSQL = """
        ALTER TABLE jobs ADD COLUMN lease_token TEXT CHECK (lease_token IS NULL OR length(lease_token) BETWEEN 1 AND 64);
        ALTER TABLE jobs ADD COLUMN lease_expires_at BIGINT;
        ALTER TABLE job_events ADD COLUMN node TEXT;
        ALTER TABLE job_events ADD COLUMN lease TEXT;
        """
}

/// A worker's hold on one job, from its claim (`JobRecord.lease`). Passed with every write the run
/// makes; see the extension's doc.
public struct Lease: Sendable, Equatable, Hashable {
    public let job: String
    public let node: String?
    public let token: String

    public init(job: String, node: String?, token: String) {
        self.job = job
        self.node = node
        self.token = token
    }
}

extension Store {
    /// Moves the lease's expiry to now + `leaseTimeout`. `leaseLost` if the job no longer carries
    /// the token (taken back by a sweep, finished, deleted): the worker must stop the run.
    public func renewLease(_ lease: Lease) throws(StoreError) {
        _ = try fenced(lease) { connection in
            try connection.write("UPDATE jobs SET lease_expires_at = ? WHERE id = ?",
                                 [.integer(connection.nowMillis() + connection.leaseTimeoutMillis), .text(lease.job)])
        }
    }

    /// Takes back every job whose lease ran out (its worker's node died or froze): as start-up
    /// recovery does for a crashed process, the job is marked `interrupted` with its crash counted
    /// (an `interrupted` event, reason `lease_expired`), its lease cleared so its old worker's late
    /// writes are refused, and it is then claimed (`isResume`) by any node and restored from its
    /// last checkpoint; a job whose crashes reach `maxCrashes` is failed `crashed_repeatedly`.
    /// Any node may run it any time (thawd does at every heartbeat); concurrent sweeps take each
    /// job once.
    public func requeueExpiredLeases(failingAfter maxCrashes: Int) throws(StoreError) -> JobRecovery {
        guard maxCrashes >= 1 else { throw .invalidArgument(field: "max_attempts", reason: "must be at least 1") }
        return try notifying { connection in
            try connection.interruptOrphans(
                where: "lease_expires_at IS NOT NULL AND lease_expires_at < ?", [.integer(connection.nowMillis())],
                failingAfter: maxCrashes, reason: .leaseExpired)
        }
    }

    /// `notifying` + one transaction that first checks `lease` (when given) and stamps the events
    /// `body` appends with it.
    func fenced<T>(_ lease: Lease?, _ body: (StoreConnection) throws -> T) throws(StoreError) -> T {
        try notifying { connection in try connection.fenced(lease) { try body(connection) } }
    }
}

extension StoreConnection {
    /// Runs `body` in a transaction (joining an open one) after checking `lease`; see `Store.fenced`.
    func fenced<T>(_ lease: Lease?, _ body: () throws -> T) throws -> T {
        guard let lease else { return try transaction(body) }
        return try transaction {
            try checkLease(lease)
            let outer = self.lease
            self.lease = lease
            defer { self.lease = outer }
            return try body()
        }
    }

    /// Inside a transaction: `leaseLost` unless the job carries `lease.token`. On PostgreSQL the row
    /// stays locked (FOR UPDATE) until the commit, so no sweep or claim can take the job between the
    /// check and the write; SQLite's write transaction already excludes every other writer.
    func checkLease(_ lease: Lease) throws {
        let lock = db.dialect == .postgres ? " FOR UPDATE" : ""
        let token = try read("SELECT lease_token FROM jobs WHERE id = ?" + lock, [.text(lease.job)]).first?.first?.string
        guard token == lease.token else { throw StoreError.leaseLost(job: lease.job) }
    }

    /// Start-up recovery and the lease sweep: every `running`/`paused` job a worker held
    /// (`interrupted = 0`) that matches `condition` is marked interrupted, its lease cleared and, if
    /// running, its crash counted; jobs whose crashes reach `maxCrashes` are failed. Returns what it
    /// failed and every job left interrupted, in claim order.
    func interruptOrphans(where condition: String?, _ parameters: [SQLiteValue], failingAfter maxCrashes: Int,
                          reason: InterruptedEvent.Reason?) throws -> JobRecovery {
        try transaction {
            // SKIP LOCKED: a row a worker's fenced write holds is that worker's, alive; and two
            // sweeps never take one job twice (the second sees it interrupted, or skips it).
            let lock = db.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
            let orphans = try read(
                "SELECT id, status FROM jobs WHERE status IN ('running', 'paused') AND interrupted = 0"
                    + (condition.map { " AND " + $0 } ?? "") + " ORDER BY seq" + lock, parameters)
            var failed: [JobRecord] = []
            for row in orphans {
                guard let id = row[0].string, let status = row[1].string else { continue }
                var event = InterruptedEvent(status: status, reason: reason)
                if status == JobStatus.running.rawValue {
                    try write("UPDATE jobs SET crashes = crashes + 1 WHERE id = ?", [.text(id)])
                    event.crashes = try requireJob(id).crashes
                }
                try write("UPDATE jobs SET interrupted = 1, lease_token = NULL, lease_expires_at = NULL WHERE id = ?", [.text(id)])
                _ = try appendEvent(jobID: id, event: .interrupted(event), key: nil)
                if status == JobStatus.running.rawValue { notify(.claimable(job: id)) }
                let job = try requireJob(id)
                if job.status == .running && job.crashes >= maxCrashes {
                    failed.append(try transitionJob(id, to: .failed, result: nil, failure: JobFailure(
                        code: FailureCode.crashedRepeatedly.rawValue,
                        message: "the process died during \(job.crashes) start(s) of this job (max_attempts \(maxCrashes)); it is not started again"
                    )))
                }
            }
            let ids = Set(orphans.compactMap { $0[0].string })
            let interrupted = try read(
                JobRecord.selectSQL
                    + " WHERE status IN ('running', 'paused') AND interrupted = 1"
                    + " ORDER BY status = 'running' DESC, priority DESC, seq"
            ).map { try JobRecord(RowReader(table: "jobs", columns: JobRecord.columns, row: $0)) }
            // The sweep reports only what it took back now; start-up recovery every interrupted job.
            return JobRecovery(interrupted: reason == .leaseExpired ? interrupted.filter { ids.contains($0.id) } : interrupted,
                               failed: failed)
        }
    }
}
