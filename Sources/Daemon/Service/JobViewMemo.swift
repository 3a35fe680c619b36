import Foundation
import JobAPI

/// What a job view derives from stored text that never changes under the same key: the spec
/// document, its model's groups in the model's order and the first phase's plan (from the spec text,
/// fixed at submit), the decoded training state (per state-row version, its event id) and the
/// decoded result (per result text). A poll of a job then reads its two rows and decodes nothing
/// it decoded before; every field of the view is still rebuilt from that fresh read, so nothing
/// stale is served (a running job's times and progress are the read's).
///
/// Each entry is checked against what it was derived from (the same spec text, the same event id,
/// the same result text) before use, so a miss only costs the decode. Bounded: at `capacity` jobs
/// the memo starts over.
///
/// A finished job's whole answer is kept too (`finished`), with the store's write version read
/// before the read it was built from: while no write has been committed since, the job's rows are
/// what they were, and a finished job's view depends on nothing else (its times end at
/// `finished_at`, not at the clock), so the bytes are served without reading the store. Any write
/// (an event of another job, a delete) moves the version and the next poll reads again. A job that
/// is not finished never gets such an entry: its running times come from the clock.
final class JobViewMemo: @unchecked Sendable {
    struct SpecParts {
        let text: String
        let document: JSONValue
        /// The model's groups, first to head; empty when the model cannot be resolved.
        let groups: [String]
        let plan: [GroupView]
        /// The experiment the job is a child of (`experiment` in the job object), if any.
        let experiment: String?
        /// The parts of the object written from these (`JobView.Fragments`), and the training
        /// parts of a job with no state yet (its plan).
        let fragments: JobView.SpecFragments
        let planFragments: JobView.TrainingFragments
    }

    struct StateParts {
        let eventID: Int
        /// With its groups as the view shows them (in the model's order, or the plan).
        let state: JobTrainingState
        let fragments: JobView.TrainingFragments
    }

    struct ResultParts {
        let text: String
        let value: JSONValue?
        let rendered: [UInt8]?
    }

    /// A finished job's answer and the store's write version read before the read it came from.
    struct FinishedBytes {
        let writeVersion: Int
        let bytes: [UInt8]
    }

    private struct Entry {
        var spec: SpecParts?
        var state: StateParts?
        var result: ResultParts?
    }

    let capacity: Int
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    /// Apart from `entries`, so the hot lookup copies out one array, not a whole entry's parts.
    private var finishedBytes: [String: FinishedBytes] = [:]

    init(capacity: Int = 4096) { self.capacity = capacity }

    func spec(job: String, text: String, derive: () -> SpecParts) -> SpecParts {
        if let hit = lock.withLock({ entries[job]?.spec }), hit.text == text { return hit }
        let parts = derive()
        update(job) { $0.spec = parts }
        return parts
    }

    func state(job: String, eventID: Int, derive: () throws -> StateParts) rethrows -> StateParts {
        if let hit = lock.withLock({ entries[job]?.state }), hit.eventID == eventID { return hit }
        let parts = try derive()
        update(job) { $0.state = parts }
        return parts
    }

    func result(job: String, text: String, derive: () -> ResultParts) -> ResultParts {
        if let hit = lock.withLock({ entries[job]?.result }), hit.text == text { return hit }
        let parts = derive()
        update(job) { $0.result = parts }
        return parts
    }

    /// The finished job's bytes kept at `writeVersion`, if that is still the store's version.
    func finished(job: String, writeVersion: Int) -> [UInt8]? {
        guard let hit = lock.withLock({ finishedBytes[job] }), hit.writeVersion == writeVersion else { return nil }
        return hit.bytes
    }

    /// Keeps a finished job's bytes, built from a read that began after `writeVersion` was read.
    func keepFinished(job: String, writeVersion: Int, bytes: [UInt8]) {
        lock.withLock {
            if finishedBytes[job] == nil, finishedBytes.count >= capacity { finishedBytes.removeAll(keepingCapacity: true) }
            finishedBytes[job] = FinishedBytes(writeVersion: writeVersion, bytes: bytes)
        }
    }

    /// Forgets a deleted job.
    func remove(job: String) {
        lock.withLock {
            entries.removeValue(forKey: job)
            finishedBytes.removeValue(forKey: job)
        }
    }

    var count: Int { lock.withLock { entries.count } }

    private func update(_ job: String, _ change: (inout Entry) -> Void) {
        lock.withLock {
            if entries[job] == nil, entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            change(&entries[job, default: Entry()])
        }
    }
}
