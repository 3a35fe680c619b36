import Foundation
import JobAPI
import SQLite

extension Store {
    /// Appends a typed event (see `appendEvent(job:type:payload:key:)` for ids and `key`) and, in
    /// the same transaction, folds it into the job's training state (`trainingState(job:)`).
    /// `lease`: as for the untyped form (fenced, recorded on the event).
    @discardableResult
    public func appendEvent(job jobID: String, event: TrainingEvent, key: String? = nil, lease: Lease? = nil)
        throws(StoreError) -> EventRecord
    {
        try fenced(lease) { try $0.appendEvent(jobID: jobID, event: event, key: key) }
    }

    /// The job's live training state (phase, epoch, step, groups, latest/best/test metrics, LR-finder
    /// result) as its events so far made it; nil before any event changed it (a job not started).
    /// One SELECT. Throws `notFound(kind: "job")` for an unknown job.
    public func trainingState(job jobID: String) throws(StoreError) -> JobTrainingState? {
        try sync { connection in
            let rows = try connection.read(
                "SELECT s.state FROM jobs j LEFT JOIN job_training_state s ON s.job_id = j.id WHERE j.id = ?",
                [.text(jobID)])
            guard let row = rows.first else { throw StoreError.notFound(kind: "job", id: jobID) }
            guard let text = row[0].string else { return nil }
            return try StoreConnection.decodeTrainingState(text)
        }
    }
}

extension StoreConnection {
    func appendEvent(jobID: String, event: TrainingEvent, key: String?) throws -> EventRecord {
        let payload: String
        do { payload = try event.payloadText() } catch {
            throw StoreError.invalidArgument(field: "payload", reason: "cannot encode the \(event.type.rawValue) event: \(error)")
        }
        return try appendEvent(jobID: jobID, type: event.type.rawValue, payload: payload, key: key, decoded: event)
    }

    /// Folds a just-appended event into the job's state row, and mirrors the position (phase, epoch,
    /// step) onto the job record, as `updateProgress` does, unless the job is already final. Called
    /// inside the append's transaction.
    func applyToTrainingState(jobID: String, event: TrainingEvent, eventID: Int) throws {
        guard JobTrainingState.changes(event) else { return }
        let current = try read("SELECT state FROM job_training_state WHERE job_id = ?", [.text(jobID)])
            .first?.first?.string.map(Self.decodeTrainingState) ?? JobTrainingState()
        let next = current.applying(event)
        try writeTrainingState(jobID: jobID, next, eventID: eventID)
        if next.phase != current.phase || next.epoch != current.epoch || next.step != current.step {
            try write(
                """
                UPDATE jobs SET phase = COALESCE(?, phase), epoch = COALESCE(?, epoch), step = COALESCE(?, step)
                WHERE id = ? AND status NOT IN ('succeeded', 'stopped', 'failed', 'cancelled')
                """,
                [next.phase.map { .text($0) } ?? .null, next.epoch.map { .integer(Int64($0)) } ?? .null,
                 next.step.map { .integer(Int64($0)) } ?? .null, .text(jobID)])
        }
    }

    private func writeTrainingState(jobID: String, _ state: JobTrainingState, eventID: Int) throws {
        let text: String
        do { text = String(decoding: try Wire.encode(state), as: UTF8.self) } catch {
            throw StoreError.invalidArgument(field: "state", reason: "cannot encode the training state: \(error)")
        }
        try write(
            """
            INSERT INTO job_training_state (job_id, state, event_id, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (job_id) DO UPDATE SET state = excluded.state, event_id = excluded.event_id,
                updated_at = excluded.updated_at
            """, [.text(jobID), .text(text), .integer(Int64(eventID)), .integer(nowMillis())])
    }

    static func decodeTrainingState(_ text: String) throws -> JobTrainingState {
        do { return try Wire.decode(JobTrainingState.self, from: Data(text.utf8)) } catch {
            throw StoreError.corruptRecord(table: "job_training_state", column: "state", reason: "\(error)")
        }
    }

    /// Migration 0005: every job's state from the events stored before the row existed, by the same
    /// reducer the appends use. Events that do not decode (types the runner never wrote, or payloads
    /// of a shape no thawd wrote) are skipped, as a live append of them would be.
    func backfillTrainingStates() throws {
        let jobs = try read("SELECT DISTINCT job_id FROM job_events").compactMap { $0.first?.string }
        for jobID in jobs {
            var state = JobTrainingState()
            var last = 0
            for row in try read("SELECT id, type, payload FROM job_events WHERE job_id = ? ORDER BY id", [.text(jobID)]) {
                guard let id = row[0].int, let type = row[1].string, let payload = row[2].string,
                      let event = try? TrainingEvent(type: type, payload: payload), JobTrainingState.changes(event)
                else { continue }
                state = state.applying(event)
                last = Int(id)
            }
            if last > 0 { try writeTrainingState(jobID: jobID, state, eventID: last) }
        }
    }
}
