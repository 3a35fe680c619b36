import Foundation
import JobAPI
import SQLite

extension Store {
    /// Submits a job as `queued` and appends its first event ("status", `{"status":"queued"}`).
    /// - Parameters:
    ///   - name: optional label, 1–256 chars.
    ///   - priority: higher is claimed first; equal priorities in submission order. Default 0.
    ///   - spec: the job spec as JSON text (validated as JSON only).
    ///   - modelID: the base model; must exist (`notFound(kind: "model")`).
    @discardableResult
    public func createJob(name: String? = nil, priority: Int = 0, spec: String, modelID: String? = nil)
        throws(StoreError) -> JobRecord
    {
        try notifying { try $0.createJob(name: name, priority: priority, spec: spec, modelID: modelID) }
    }

    public func job(_ id: String) throws(StoreError) -> JobRecord {
        try sync { try $0.requireJob(id) }
    }

    /// Newest first, optionally only those with `status`.
    public func jobs(status: JobStatus? = nil, page: PageRequest = PageRequest()) throws(StoreError)
        -> Page<JobRecord>
    {
        try sync { connection in
            try connection.page(
                table: JobRecord.table, kind: "job", columns: JobRecord.columns,
                filter: status.map { SQLCondition(sql: "status = ?", parameters: [.text($0.rawValue)]) },
                request: page, decode: JobRecord.init)
        }
    }

    /// Jobs a worker may claim, in claim order: interrupted running jobs first (they hold a partly
    /// trained model), then queued ones; each group by priority desc, then submission order.
    public func claimableJobs() throws(StoreError) -> [JobRecord] {
        try sync { connection in
            try connection.read(JobRecord.selectSQL + StoreConnection.claimableOrder)
                .map { try JobRecord(RowReader(table: "jobs", columns: JobRecord.columns, row: $0)) }
        }
    }

    /// Atomically takes the first of `claimableJobs()`, marks it `running` (clearing `interrupted`,
    /// adding 1 to `attempts`, setting `startedAt` on first run) and returns it; nil when none waits.
    /// A returned job with `isResume == true` must be restored from `lastCheckpoint(job:)`.
    /// `node` (1–255 characters) is recorded as the job's `node`.
    public func claimNextQueued(node: String? = nil) throws(StoreError) -> JobRecord? {
        if let node, !(1...255).contains(node.unicodeScalars.count) {
            throw .invalidArgument(field: "node", reason: "must be 1 to 255 characters")
        }
        return try notifying { try $0.claimNext(node: node) }
    }

    /// Moves a job to `status` if `JobStatus` allows it from its current one, else
    /// `illegalTransition(from:to:)` with nothing written. Stores `result` (JSON) and `failure` when given.
    /// Entering a terminal status sets `finishedAt` and cancels the job's pending commands. Appends a
    /// "status" event `{"status": new, "previous": old[, "error": {...}]}` in the same transaction.
    /// `applying` names the pending command that caused the change (a cancel): it is marked applied,
    /// not cancelled with the others.
    /// `lease`: the worker's (fenced: `leaseLost` if it no longer holds the job). A final status
    /// clears the job's lease, whoever writes it.
    @discardableResult
    public func transitionJob(
        _ id: String, to status: JobStatus, result: String? = nil, failure: JobFailure? = nil, applying command: String? = nil,
        lease: Lease? = nil
    ) throws(StoreError) -> JobRecord {
        try fenced(lease) { try $0.transitionJob(id, to: status, result: result, failure: failure, applying: command) }
    }

    /// Records the worker's position. Any argument left nil keeps its stored value. Only for jobs that
    /// are not terminal (`conflict` otherwise). Appends no event: the daemon emits its own epoch events.
    public func updateProgress(_ id: String, phase: String? = nil, epoch: Int? = nil, step: Int? = nil, lease: Lease? = nil)
        throws(StoreError) -> JobRecord
    {
        try fenced(lease) { try $0.updateProgress(id, phase: phase, epoch: epoch, step: step) }
    }

    /// Call once at daemon start-up, before workers claim anything: every `running` or `paused` job is
    /// left over from the previous process and no worker owns it. Marks those `interrupted` (status
    /// unchanged; an "interrupted" event is appended) and returns all interrupted jobs in claim order.
    /// Interrupted `running` jobs are then handed out by `claimNextQueued()` with `isResume == true`;
    /// interrupted `paused` jobs wait until resumed (→ running) and are then claimed the same way.
    /// Idempotent: calling it again marks nothing new and returns the same jobs.
    /// Never fails a job; `recoverInterruptedJobs(failingAfter:)` is the poison-job-aware form.
    public func recoverInterruptedJobs() throws(StoreError) -> [JobRecord] {
        try recoverInterruptedJobs(failingAfter: Int.max).interrupted
    }
}

extension StoreConnection {
    static let claimableOrder = """
         WHERE (status = 'running' AND interrupted = 1) OR status = 'queued'
         ORDER BY status = 'running' DESC, priority DESC, seq
        """

    @discardableResult
    func requireJob(_ id: String) throws -> JobRecord {
        guard let row = try read(JobRecord.selectSQL + " WHERE id = ?", [.text(id)]).first else {
            throw StoreError.notFound(kind: "job", id: id)
        }
        return try JobRecord(RowReader(table: "jobs", columns: JobRecord.columns, row: row))
    }

    func createJob(name: String?, priority: Int, spec: String, modelID: String?) throws -> JobRecord {
        if let name, !(1...256).contains(name.unicodeScalars.count) {
            throw StoreError.invalidArgument(field: "name", reason: "must be 1 to 256 characters")
        }
        try requireJSON(spec, field: "spec")
        return try transaction {
            if let modelID, try read("SELECT 1 FROM models WHERE id = ?", [.text(modelID)]).isEmpty {
                throw StoreError.notFound(kind: "model", id: modelID)
            }
            let id = try newID(prefix: "job", table: "jobs")
            try write(
                "INSERT INTO jobs (id, name, status, priority, spec, model_id, created_at) VALUES (?, ?, 'queued', ?, ?, ?, ?)",
                [.text(id), name.map { .text($0) } ?? .null, .integer(Int64(priority)), .text(spec),
                 modelID.map { .text($0) } ?? .null, .integer(nowMillis())])
            _ = try appendEvent(jobID: id, event: .status(StatusEvent(status: JobStatus.queued.rawValue)), key: nil)
            notify(.claimable(job: id))
            return try requireJob(id)
        }
    }

    func claimNext(node: String? = nil) throws -> JobRecord? {
        try transaction {
            let now = nowMillis()
            let set: [SQLiteValue] = [.integer(now), node.map { .text($0) } ?? .null,
                                      .text(RandomID.token()), .integer(now + leaseTimeoutMillis)]
            guard let (id, previous) = try db.dialect == .postgres ? takeNextLocked(set) : takeNext(set) else { return nil }
            let after = try requireJob(id)
            // The claim's own event is the new holder's first write.
            let outer = lease
            lease = after.lease
            defer { lease = outer }
            _ = try appendEvent(jobID: id, event: .status(StatusEvent(
                status: JobStatus.running.rawValue, previous: previous,
                attempt: after.attempts, resume: after.isResume)), key: nil)
            return after
        }
    }

    /// Parameters: the time, the claiming node, the new lease's token and expiry (`Store+Leases.swift`).
    static let claimSet = """
        status = 'running', interrupted = 0, attempts = attempts + 1, started_at = COALESCE(started_at, ?), node = ?,
        lease_token = ?, lease_expires_at = ?
        """

    /// SQLite: the transaction holds the database's one write lock, so a SELECT then an UPDATE is atomic.
    private func takeNext(_ set: [SQLiteValue]) throws -> (id: String, previous: String)? {
        guard let row = try read("SELECT id, status FROM jobs" + Self.claimableOrder + " LIMIT 1").first,
              let id = row[0].string, let previous = row[1].string
        else { return nil }
        try write("UPDATE jobs SET " + Self.claimSet + " WHERE id = ?", set + [.text(id)])
        return (id, previous)
    }

    /// PostgreSQL: the queues built on it claim this way (River, Oban, graphile-worker, pgmq): the
    /// CTE locks the first claimable row, skipping rows another transaction holds, and the UPDATE
    /// takes it in the same statement, so claimers on many connections never wait on one another or
    /// get the same job.
    private func takeNextLocked(_ set: [SQLiteValue]) throws -> (id: String, previous: String)? {
        let rows = try write(
            "WITH next AS (SELECT id, status FROM jobs" + Self.claimableOrder + " LIMIT 1 FOR UPDATE SKIP LOCKED)"
                + " UPDATE jobs SET " + Self.claimSet + " FROM next WHERE jobs.id = next.id RETURNING jobs.id, next.status",
            set)
        guard let row = rows.first, let id = row[0].string, let previous = row[1].string else { return nil }
        return (id, previous)
    }

    func transitionJob(_ id: String, to status: JobStatus, result: String?, failure: JobFailure?, applying command: String? = nil)
        throws -> JobRecord
    {
        if let result { try requireJSON(result, field: "result") }
        if let failure, failure.code.isEmpty || failure.code.count > 64 {
            throw StoreError.invalidArgument(field: "failure.code", reason: "must be 1 to 64 characters")
        }
        return try transaction {
            let job = try requireJob(id)
            _ = try job.status.transition(to: status)
            let now = nowMillis()
            var sets = ["status = ?"]
            var parameters: [SQLiteValue] = [.text(status.rawValue)]
            if status == .running && job.status == .queued {
                sets += ["attempts = attempts + 1", "started_at = COALESCE(started_at, ?)"]
                parameters.append(.integer(now))
            }
            if status == .running && job.status == .paused && failure == nil {
                sets += ["error_code = NULL", "error_message = NULL"]  // what parked it (disk_full) is over
            }
            if status.isTerminal {
                sets += ["finished_at = ?", "interrupted = 0", "lease_token = NULL", "lease_expires_at = NULL"]
                parameters.append(.integer(now))
            }
            if let result {
                sets.append("result = ?")
                parameters.append(.text(result))
            }
            if let failure {
                sets += ["error_code = ?", "error_message = ?"]
                parameters += [.text(failure.code), .text(failure.message)]
            }
            try write("UPDATE jobs SET \(sets.joined(separator: ", ")) WHERE id = ?", parameters + [.text(id)])
            // A parked job resumed (interrupted, now running) waits for any node's worker to claim it.
            if status == .running && job.interrupted { notify(.claimable(job: id)) }
            if let command {
                try write(
                    "UPDATE job_commands SET status = 'applied', resolved_at = ? WHERE id = ? AND job_id = ? AND status = 'pending'",
                    [.integer(now), .text(command), .text(id)])
            }
            if status.isTerminal {
                try write(
                    """
                    UPDATE job_commands SET status = 'cancelled', message = ?, resolved_at = ?
                    WHERE job_id = ? AND status = 'pending'
                    """, [.text("job \(status.rawValue) before the command was applied"), .integer(now), .text(id)])
            }
            _ = try appendEvent(jobID: id, event: .status(StatusEvent(
                status: status.rawValue, previous: job.status.rawValue,
                error: failure.map { StatusEvent.Failure(code: $0.code, message: $0.message) })), key: nil)
            return try requireJob(id)
        }
    }

    func updateProgress(_ id: String, phase: String?, epoch: Int?, step: Int?) throws -> JobRecord {
        if let phase, !(1...64).contains(phase.unicodeScalars.count) {
            throw StoreError.invalidArgument(field: "phase", reason: "must be 1 to 64 characters")
        }
        if let epoch, epoch < 0 { throw StoreError.invalidArgument(field: "epoch", reason: "must be >= 0") }
        if let step, step < 0 { throw StoreError.invalidArgument(field: "step", reason: "must be >= 0") }
        return try transaction {
            let job = try requireJob(id)
            if job.status.isTerminal {
                throw StoreError.conflict(kind: "job", id: id, reason: "job is \(job.status.rawValue)")
            }
            try write(
                "UPDATE jobs SET phase = COALESCE(?, phase), epoch = COALESCE(?, epoch), step = COALESCE(?, step) WHERE id = ?",
                [phase.map { .text($0) } ?? .null, epoch.map { .integer(Int64($0)) } ?? .null,
                 step.map { .integer(Int64($0)) } ?? .null, .text(id)])
            return try requireJob(id)
        }
    }

}
