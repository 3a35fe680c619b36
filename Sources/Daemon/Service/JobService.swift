import Foundation
import JobAPI
import Store

/// The jobs' side of the daemon, owned by nothing HTTP: submit (decode once, validate against the
/// model and dataset, estimate memory, store), view, list, control, delete, and the workers' claim.
/// Built from its explicit dependencies; routes decode a request, call one method, encode the answer.
/// Refusals are `JobServiceError`s (store errors pass through), mapped to HTTP by `APIError(_:)`.
final class JobService: @unchecked Sendable {
    let store: Store
    let datasets: DatasetCatalog
    /// Claims and commands are decided under its lock; `wake()` tells the workers about new work.
    let ownership: JobOwnership
    let memory: MemoryBudget
    /// This thawd's `--node-id`, recorded on every job its workers claim.
    let node: String?
    /// Now, for the job object's running times (a parameter so tests can pin it).
    let clock: @Sendable () -> Date
    /// The job views' decoded spec, state and result, per stored text (`JobViewMemo`).
    let viewMemo = JobViewMemo()
    /// Other nodes write the same store (PostgreSQL): the store's write version counts only this
    /// node's writes, so finished jobs' bytes are not kept (`jobBytes`).
    let sharedStore: Bool

    init(store: Store, datasets: DatasetCatalog, ownership: JobOwnership, memory: MemoryBudget, node: String? = nil,
         sharedStore: Bool = false, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.node = node
        self.sharedStore = sharedStore
        self.store = store
        self.datasets = datasets
        self.ownership = ownership
        self.memory = memory
        self.clock = clock
    }

    /// One read (the job and its training state), one build; the route writes it with `wireBytes()`.
    func job(_ id: String) throws -> JobView { try view(store.jobSnapshot(id)) }

    /// `job(id).wireBytes()`, the polled route's answer. A finished job's bytes are kept
    /// (`JobViewMemo.finished`) and served without a read while the store's write version has not
    /// moved since the read they were built from; the version is read before the read, so a write
    /// committed meanwhile leaves the kept bytes already out of date, never newer than the rows.
    /// On a shared store every poll reads: another node's write (a delete, an export event) does not
    /// move this node's version, so no kept bytes could be proven current.
    func jobBytes(_ id: String) throws -> [UInt8] {
        if sharedStore { return try job(id).wireBytes() }
        let version = store.writeVersion
        if let bytes = viewMemo.finished(job: id, writeVersion: version) { return bytes }
        let snapshot = try store.jobSnapshot(id)
        let bytes = try view(snapshot).wireBytes()
        if snapshot.job.status.isTerminal { viewMemo.keepFinished(job: id, writeVersion: version, bytes: bytes) }
        return bytes
    }

    /// Newest first, `status` keeping one state; one read for the page.
    func jobs(status: JobStatus?, page: PageRequest) throws -> ListPage<JobView> {
        let page = try store.jobSnapshots(status: status, page: page)
        return ListPage(try page.data.map { try view($0) }, hasMore: page.hasMore)
    }

    /// Every stored checkpoint of the job, oldest first.
    func checkpoints(job id: String) throws -> ListPage<CheckpointView> {
        let job = try store.job(id)
        let data = try store.checkpoints(job: job.id).map { c in
            CheckpointView(id: c.id, kind: c.kind.rawValue, epoch: c.epoch,
                           metrics: JSONValue.decoding(c.metrics) ?? .object([:]), size: c.artifact.size,
                           sha256: c.artifact.sha256, createdAt: Int(c.createdAt.timeIntervalSince1970))
        }
        return ListPage(data, hasMore: false)
    }

    /// One row per finished epoch: the `epoch` event's payload with its phase and global epoch.
    func metrics(job id: String) throws -> ListPage<JSONValue> {
        let job = try store.job(id)
        typealias Key = EpochEvent.CodingKeys
        let rows = try store.metrics(job: job.id).map { m -> JSONValue in
            var row: [String: JSONValue] = [:]
            if case .object(let stored)? = JSONValue.decoding(m.values) { row = stored }
            row[Key.phase.stringValue] = .string(m.phase)
            row[Key.globalEpoch.stringValue] = .number(Double(m.epoch))
            return .object(row)
        }
        return ListPage(rows, hasMore: false)
    }

    func metricsCSV(job id: String) throws -> String {
        let job = try store.job(id)
        return try store.metricsCSV(job: job.id)
    }

    /// Stored events after `after`, at most `limit` of them (the event stream's history as a list).
    func events(job id: String, after: Int, limit: Int) throws -> ListPage<EventView> {
        let job = try store.job(id)
        let stored = try store.events(job: job.id, after: after, limit: limit + 1)
        let data = stored.prefix(limit).map { e in
            EventView(id: e.id, type: e.type, createdAt: e.createdAt.timeIntervalSince1970,
                      data: JSONValue.decoding(e.payload) ?? .null)
        }
        return ListPage(Array(data), hasMore: stored.count > limit)
    }

    /// A finished job only (succeeded, stopped, failed, cancelled): its events, commands, metrics,
    /// checkpoint rows and files go with it. Models promoted from it stay.
    func deleteJob(_ id: String) throws -> DeletedView {
        try ownership.withOwnership(of: id) { held in
            // A final status is written just before its worker lets go of the job; a job that is not
            // final gets the store's own answer (cancel or stop it first).
            if held, try store.job(id).status.isTerminal {
                throw JobServiceError.conflict(.inUse, message: "job '\(id)': a worker still holds it; try again in a moment")
            }
            try store.deleteJob(id)
            viewMemo.remove(job: id)
        }
        return DeletedView(id: id, object: "job")
    }

    /// The next job to run (interrupted first, then queued by priority and submission order). Call
    /// with `ownership`'s lock held, and register the job as held under the same hold.
    func claimNext() throws -> JobRecord? { try store.claimNextQueued(node: node) }

    /// The job's best or newest epoch weights (`which`: `best` or `last`), or 404 while it has none.
    func weightsCheckpoint(job: JobRecord, which: String) throws -> CheckpointRecord {
        guard let checkpoint = try store.weightsCheckpoint(job: job.id, which: which) else {
            throw JobServiceError.missing(code: "checkpoint_not_found",
                                          message: "job '\(job.id)' has no \(which) checkpoint yet (status \(job.status.rawValue))")
        }
        return checkpoint
    }
}

extension JSONValue {
    /// Stored JSON text as a value; nil when it is not JSON.
    static func decoding(_ text: String) -> JSONValue? { try? Wire.decode(JSONValue.self, from: Data(text.utf8)) }
}
