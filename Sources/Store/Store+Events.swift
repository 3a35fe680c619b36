import Foundation
import JobAPI
import SQLite

extension Store {
    /// Appends an event to a job's log and returns it with its new per-job id (last id + 1).
    /// `type` must be 1–64 chars, `payload` valid JSON; the job must exist (any status: a finished job
    /// may still get e.g. an "export" event).
    ///
    /// `key` (1–256 chars) makes the append idempotent: if the job already has an event with that key,
    /// that event is returned and nothing is written. A run resumed from its epoch-k checkpoint repeats
    /// what the interrupted run did after it (the epoch k+1 event, its checkpoint events, ...); keyed
    /// by what they describe ("epoch:5"), those facts are stored once however often the run is restarted.
    ///
    /// A payload that decodes as a `TrainingEvent` of `type` also updates the job's training state, in
    /// the same transaction, exactly as the typed `appendEvent(job:event:key:)` does; anything else is
    /// only logged. thawd itself appends typed events; this form is for tools and tests.
    ///
    /// `lease`: the writing worker's, checked in the same transaction (`leaseLost`, nothing written,
    /// when it no longer holds the job) and recorded as the event's `node` and `lease`.
    @discardableResult
    public func appendEvent(job jobID: String, type: String, payload: String, key: String? = nil, lease: Lease? = nil)
        throws(StoreError) -> EventRecord
    {
        try fenced(lease) { try $0.appendEvent(jobID: jobID, type: type, payload: payload, key: key) }
    }

    /// Registers `listener` for every event committed from now on, by any caller: it gets each
    /// commit's events (one job's, in id order) on the Store's queue, right after the commit. It must
    /// return quickly and must not call the Store. For in-process subscribers such as SSE streams.
    public func observeEvents(_ listener: @escaping @Sendable ([EventRecord]) -> Void) {
        eventFeed.addListener(listener)
    }

    /// `sync` for calls that may append events: publishes what was appended once `body` returned
    /// (its transaction committed), still on the queue so commit order is publish order. Events of a
    /// body that threw were rolled back and are dropped.
    func notifying<T>(_ body: (StoreConnection) throws -> T) throws(StoreError) -> T {
        try sync { connection in
            connection.appendedEvents.removeAll()
            defer { connection.appendedEvents.removeAll() }
            let result = try body(connection)
            eventFeed.published(connection.appendedEvents)
            return result
        }
    }

    /// Events with id > `after` (0 = from the start), oldest first, at most `limit` (1...10_000).
    /// Throws `notFound(kind: "job")` for an unknown job so a typo is not an endless empty stream.
    public func events(job jobID: String, after: Int = 0, limit: Int = 1_000) throws(StoreError) -> [EventRecord] {
        guard (1...10_000).contains(limit) else {
            throw .invalidArgument(field: "limit", reason: "must be between 1 and 10000, got \(limit)")
        }
        guard after >= 0 else { throw .invalidArgument(field: "after", reason: "must be >= 0, got \(after)") }
        return try sync { connection in
            try connection.requireJob(jobID)
            connection.eventLogReads += 1
            return try connection.read(
                "SELECT \(EventRecord.columns.joined(separator: ", ")) FROM job_events"
                    + " WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?",
                [.text(jobID), .integer(Int64(after)), .integer(Int64(limit))]
            ).map { try EventRecord(RowReader(table: "job_events", columns: EventRecord.columns, row: $0)) }
        }
    }

    /// The highest event id of the job, 0 if none.
    public func lastEventID(job jobID: String) throws(StoreError) -> Int {
        try sync { connection in
            try connection.requireJob(jobID)
            return try connection.lastEventID(jobID)
        }
    }

    /// Blocks the calling thread (never the Store's queue) until events with id > `after` exist for the
    /// job or `timeout` seconds pass; returns them (empty on timeout). For SSE handlers: loop on it.
    public func waitForEvents(job jobID: String, after: Int, timeout: TimeInterval) throws(StoreError) -> [EventRecord] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let seen = eventFeed.current
            let found = try events(job: jobID, after: after)
            if !found.isEmpty { return found }
            if !eventFeed.wait(after: seen, until: deadline) { return [] }
        }
    }
}

extension StoreConnection {
    /// `decoded`: the event `payload` encodes, when the caller has it (else it is decoded here, and
    /// the state left alone if it does not decode).
    func appendEvent(jobID: String, type: String, payload: String, key: String? = nil,
                     decoded: TrainingEvent? = nil) throws -> EventRecord {
        guard (1...64).contains(type.unicodeScalars.count) else {
            throw StoreError.invalidArgument(field: "type", reason: "must be 1 to 64 characters")
        }
        if let key, !(1...256).contains(key.utf8.count) {
            throw StoreError.invalidArgument(field: "key", reason: "must be 1 to 256 bytes")
        }
        try requireJSON(payload, field: "payload")
        try requireJob(jobID)
        if let key, let row = try read(
            "SELECT \(EventRecord.columns.joined(separator: ", ")) FROM job_events WHERE job_id = ? AND key = ?",
            [.text(jobID), .text(key)]).first {
            return try EventRecord(RowReader(table: "job_events", columns: EventRecord.columns, row: row))
        }
        let id = try lastEventID(jobID) + 1
        let now = nowMillis()
        try write(
            "INSERT INTO job_events (job_id, id, type, payload, created_at, key, node, lease) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(jobID), .integer(Int64(id)), .text(type), .text(payload), .integer(now), key.map { .text($0) } ?? .null,
             lease?.node.map { .text($0) } ?? .null, lease.map { .text($0.token) } ?? .null])
        let event = try EventRecord(RowReader(
            table: "job_events", columns: EventRecord.columns,
            row: [.text(jobID), .integer(Int64(id)), .text(type), .text(payload), .integer(now)]))
        if let typed = decoded ?? (try? TrainingEvent(type: type, payload: payload)) {
            try applyToTrainingState(jobID: jobID, event: typed, eventID: id)
        }
        appendedEvents.append(event)
        notify(.events(job: jobID))
        return event
    }

    func lastEventID(_ jobID: String) throws -> Int {
        Int(try read("SELECT COALESCE(MAX(id), 0) FROM job_events WHERE job_id = ?", [.text(jobID)])
            .first?.first?.int ?? 0)
    }
}
