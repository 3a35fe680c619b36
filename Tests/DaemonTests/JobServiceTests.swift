import Foundation
import JobAPI
@testable import Store
import Testing

@testable import Daemon

/// `JobService` on its own: built from a store, a dataset catalog, a memory budget and a pinned
/// clock, called with values (no router, no HTTP types), refusing with typed errors.
@Suite final class JobServiceTests {
    let directory: String
    let service: JobService
    let dataset: String
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-service-\(UUID().uuidString)").path
        let root = directory + "/datasets"
        try InProcessAPI.writeShapes(root: root + "/shapes", perClass: 2)
        let store = try Store(configuration: .dataDirectory(directory))
        let catalog = DatasetCatalog(store: store, fashionMNISTRoot: directory + "/none", cacheDirectory: directory + "/cache",
                                     datasetRoot: root)
        service = JobService(store: store, datasets: catalog, ownership: JobOwnership(workers: 1),
                             memory: MemoryBudget(limit: 1 << 30), clock: { JobServiceTests.now })
        dataset = try catalog.register(name: "shapes", path: DatasetPathResolver.canonical(root + "/shapes")!,
                                       channels: 1, size: 28).id
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func document(_ text: String) throws -> JSONValue { try Wire.decode(JSONValue.self, from: Data(text.utf8)) }

    func spec(batchSize: Int = 2) -> String {
        #"{"name": "s", "model": {"architecture": "small-cnn"}, "dataset": {"id": "\#(dataset)", "validation_fraction": 0.5}, "phases": [{"trainable": "all", "epochs": 1, "lr": 0.01}], "batch_size": \#(batchSize)}"#
    }

    @Test func submitStoresTheJobAndAnswersItsView() throws {
        let text = spec()
        let view = try service.submit(document(text), text: text)
        #expect(view.status == "queued" && view.modelID == nil)
        #expect(view.training.groups.map(\.name) == ["block1", "block2", "head"])
        #expect(view.training.groups.allSatisfy { $0.trainable && $0.lr == 0.01 })
        #expect(try service.store.job(view.id).spec == text)
        #expect(service.ownership.pendingWakes == 1, "the workers were told")
        let shown = try service.job(view.id)
        #expect(shown.spec == view.spec && shown.training == view.training)
        #expect(shown.queuedSeconds == JobService.milliseconds(Self.now.timeIntervalSince(try service.store.job(view.id).createdAt)),
                "running times come from the service's clock")
    }

    @Test func refusalsAreTypedPerKind() throws {
        let invalid = spec(batchSize: 0)
        #expect(throws: JobServiceError.invalid([SpecProblem(path: "batch_size", message: "must be in [1, 65536], got 0")],
                                                summary: "the job spec has problems")) {
            try self.service.submit(self.document(invalid), text: invalid)
        }
        let huge = spec(batchSize: 65_536)
        do {
            _ = try service.submit(document(huge), text: huge)
            Issue.record("a job over the budget must be refused")
        } catch JobServiceError.memoryLimit(let field, _) {
            #expect(field == "batch_size")
        }
        let job = try service.submit(document(spec()), text: spec())
        #expect(throws: JobServiceError.conflict(.illegalState, message: "only a running job can be paused (it is queued)")) {
            try self.service.control("pause", job: job.id, body: [])
        }
        #expect(throws: StoreError.self) { try self.service.job("job_nope") }
    }

    /// The view is one read plus what `viewMemo` kept: each state change (a new event id), a
    /// transition and a result show at once, and the view equals the one a service with an empty
    /// memo builds, in the oracle's bytes and in the hand-written writer's.
    @Test func theViewFollowsTheStoreThroughItsMemo() throws {
        let job = try service.submit(document(spec()), text: spec())
        let fresh = { JobService(store: self.service.store, datasets: self.service.datasets, ownership: JobOwnership(workers: 1),
                                 memory: MemoryBudget(limit: 1 << 30), clock: { JobServiceTests.now }) }
        func check(_ note: String) throws -> JobView {
            let shown = try service.job(job.id)
            let expected = try fresh().job(job.id)
            #expect(String(decoding: try Wire.encode(shown), as: UTF8.self) == String(decoding: try Wire.encode(expected), as: UTF8.self), "\(note)")
            #expect(shown.wireBytes() == Array(try Wire.encode(shown)), "\(note)")
            let listed = try service.jobs(status: nil, page: PageRequest())
            #expect(listed.data.first { $0.id == job.id } == shown, "\(note): the list shows the same")
            #expect(listed.wireBytes() == Array(try Wire.encode(listed)), "\(note)")
            return shown
        }
        #expect(try check("queued").training.groups.allSatisfy { $0.trainable && $0.lr == 0.01 })
        _ = try service.store.claimNextQueued()
        #expect(try check("running").runningSeconds != nil)
        try service.store.appendEvent(job: job.id, event: try TrainingEvent(type: "phase", payload: #"{"epochs":1,"event":"started","open_ended":false,"peak_lrs":{"head":0.02},"phase":"all","phase_index":0,"trainable":["head"]}"#))
        let phased = try check("phase")
        #expect(phased.training.phase == "all")
        #expect(phased.training.groups.map(\.trainable) == [false, false, true], "every model group, in the model's order")
        try service.store.appendEvent(job: job.id, event: try TrainingEvent(type: "epoch", payload: #"{"cache_seconds":0,"epoch":1,"epochs":1,"eval_seconds":0,"from_cache":false,"global_epoch":1,"global_step":4,"images_per_second":null,"is_best":true,"loader_wait_seconds":0,"lr_reduced":false,"lrs":{"head":0.015},"peak_lrs":{"head":0.02},"per_class_accuracy":{"circle":null,"square":1},"phase":"all","phase_index":0,"seconds":0.5,"train_loss":null,"train_seconds":0.5,"trainable":["head"],"val_accuracy":0.5,"val_loss":0.7}"#))
        let trained = try check("epoch")
        #expect(trained.training.epoch == 1 && trained.training.step == 4 && trained.training.latest?.valLoss == 0.7)
        #expect(trained.training.groups.last?.lr == 0.015)
        try service.store.transitionJob(job.id, to: .succeeded, result: #"{"epochs":1,"best_value":0.7}"#)
        let finished = try check("succeeded")
        #expect(finished.status == "succeeded" && finished.result == .object(["epochs": .number(1), "best_value": .number(0.7)]))
        #expect(service.viewMemo.count == 1)
        _ = try service.deleteJob(job.id)
        #expect(service.viewMemo.count == 0, "a deleted job is forgotten")
    }

    /// Changes a job's row behind the Store's writer (`rawQuery` on its connection, not through
    /// `write`): the write version does not move, so what the memo serves shows whether it read.
    func renameBehindTheWriter(_ id: String, to name: String) throws {
        _ = try service.store.rawQuery("UPDATE jobs SET name = '\(name)' WHERE id = '\(id)'")
    }

    func name(in bytes: [UInt8]) throws -> String? {
        if case .string(let name)? = try Wire.decode(JSONValue.self, from: Foundation.Data(bytes)).field("name") { return name }
        return nil
    }

    /// A finished job's answer is served from the memo, without a read, while the store's write
    /// version stands; any committed write (an event of another job, a new job) moves the version
    /// and the next poll reads and shows the rows as they are.
    @Test func aFinishedJobsBytesAreKeptUntilTheStoreIsWritten() throws {
        let job = try service.submit(document(spec()), text: spec())
        let other = try service.submit(document(spec()), text: spec())
        _ = try service.store.claimNextQueued()
        _ = try service.store.claimNextQueued()
        try service.store.transitionJob(job.id, to: .succeeded, result: #"{"epochs":1}"#)
        let first = try service.jobBytes(job.id)
        #expect(first == (try service.job(job.id)).wireBytes(), "the same bytes as the view")
        #expect(service.viewMemo.finished(job: job.id, writeVersion: service.store.writeVersion) == first)

        try renameBehindTheWriter(job.id, to: "renamed")
        #expect(try service.jobBytes(job.id) == first, "no write committed: the kept bytes, no read")
        #expect(try name(in: service.job(job.id).wireBytes()) == "renamed", "the plain view reads")

        try service.store.appendEvent(job: other.id, event: try TrainingEvent(type: "phase", payload: #"{"epochs":1,"event":"started","open_ended":false,"peak_lrs":{"head":0.02},"phase":"all","phase_index":0,"trainable":["head"]}"#))
        let reread = try service.jobBytes(job.id)
        #expect(try name(in: reread) == "renamed", "another job's event moved the version: read again")
        #expect(reread == (try service.job(job.id)).wireBytes())

        try renameBehindTheWriter(job.id, to: "again")
        _ = try service.store.createJob(spec: "{}")
        #expect(try name(in: service.jobBytes(job.id)) == "again", "any write moves it")

        _ = try service.deleteJob(job.id)
        #expect(throws: StoreError.notFound(kind: "job", id: job.id)) { try self.service.jobBytes(job.id) }
    }

    /// On a shared store (other nodes write it, and this store's write version does not see their
    /// commits) a finished job is read on every poll.
    @Test func onASharedStoreAFinishedJobIsReadOnEveryPoll() throws {
        let service = JobService(store: self.service.store, datasets: self.service.datasets, ownership: JobOwnership(workers: 1),
                                 memory: MemoryBudget(limit: 1 << 30), sharedStore: true, clock: { JobServiceTests.now })
        let job = try service.submit(document(spec()), text: spec())
        _ = try service.store.claimNextQueued()
        try service.store.transitionJob(job.id, to: .succeeded, result: #"{"epochs":1}"#)
        _ = try service.jobBytes(job.id)
        #expect(service.viewMemo.finished(job: job.id, writeVersion: service.store.writeVersion) == nil, "nothing kept")
        try renameBehindTheWriter(job.id, to: "renamed")  // as another node's write would be
        #expect(try name(in: service.jobBytes(job.id)) == "renamed")
    }

    /// A job whose live lease is another node's is held, though no worker here holds it: a cancel is
    /// stored for that run to apply at its next batch, not applied to the record behind its back.
    @Test func aCommandToAJobAnotherNodeRunsIsLeftToThatRun() throws {
        let job = try service.submit(document(spec()), text: spec())
        let claimed = try #require(try service.store.claimNextQueued(node: "elsewhere"))
        #expect(!service.ownership.held.contains(job.id) && claimed.leaseToken != nil)
        let command = try service.control("cancel", job: job.id, body: [])
        #expect(command.status == "pending")
        #expect(try service.store.job(job.id).status == .running)
        #expect(try service.store.pendingCommands(job: job.id).map(\.id) == [command.id])
        // Once its lease is gone (taken back), the job is nobody's: the next command is applied here.
        try service.store.releaseJob(job.id, lease: claimed.lease)
        try service.store.transitionJob(job.id, to: .paused)
        let resume = try service.control("resume", job: job.id, body: [])
        #expect(resume.status == "applied")
    }

    /// A job that is not finished is read on every poll: its events show at once, and so does a
    /// change no write announced; its running time follows the clock with nothing written at all.
    @Test func aRunningJobIsNeverServedFromTheMemo() throws {
        final class Clock: @unchecked Sendable { var now = JobServiceTests.now }
        let clock = Clock()
        let service = JobService(store: self.service.store, datasets: self.service.datasets, ownership: JobOwnership(workers: 1),
                                 memory: MemoryBudget(limit: 1 << 30), clock: { clock.now })
        let job = try service.submit(document(spec()), text: spec())
        func view() throws -> JSONValue { try Wire.decode(JSONValue.self, from: Foundation.Data(service.jobBytes(job.id))) }
        #expect(try view().field("status") == .string("queued"))
        _ = try service.store.claimNextQueued()
        let running = try view()
        #expect(running.field("status") == .string("running"))
        #expect(service.viewMemo.finished(job: job.id, writeVersion: service.store.writeVersion) == nil, "nothing kept")

        clock.now += 2
        let later = try view()
        let moved = try #require(later.field("timings")?.field("running_seconds")?.number) - (try #require(running.field("timings")?.field("running_seconds")?.number))
        #expect(abs(moved - 2) < 0.002, "the clock moved, nothing was written: a fresh running time")

        try renameBehindTheWriter(job.id, to: "renamed")
        #expect(try view().field("name") == .string("renamed"), "read again though the version stands")

        try service.store.appendEvent(job: job.id, event: try TrainingEvent(type: "epoch", payload: #"{"cache_seconds":0,"epoch":1,"epochs":1,"eval_seconds":0,"from_cache":false,"global_epoch":1,"global_step":4,"images_per_second":null,"is_best":true,"loader_wait_seconds":0,"lr_reduced":false,"lrs":{"head":0.015},"peak_lrs":{"head":0.02},"per_class_accuracy":{"circle":null,"square":1},"phase":"all","phase_index":0,"seconds":0.5,"train_loss":null,"train_seconds":0.5,"trainable":["head"],"val_accuracy":0.5,"val_loss":0.7}"#))
        let trained = try view()
        #expect(trained.field("step")?.number == 4 && trained.field("epoch")?.number == 1, "the event shows at once")
        #expect(try service.jobBytes(job.id) == (try service.job(job.id)).wireBytes())

        // Finishing it is a write: the first poll after shows the final status, then it is kept.
        try service.store.transitionJob(job.id, to: .cancelled)
        #expect(try view().field("status") == .string("cancelled"))
        #expect(service.viewMemo.finished(job: job.id, writeVersion: service.store.writeVersion) != nil)
    }

    /// The one mapping to HTTP: every case has its status and code.
    @Test func theHTTPMappingIsOnePlace() {
        let cases: [(JobServiceError, Int, String)] = [
            (.notFound(kind: "job", id: "j"), 404, "job_not_found"),
            (.missing(code: "checkpoint_not_found", message: "m"), 404, "checkpoint_not_found"),
            (.invalid(field: "a", "b"), 422, "invalid_request"),
            (.conflict(.illegalState, message: "m"), 409, "illegal_state"),
            (.conflict(.inUse, message: "m"), 409, "conflict"),
            (.conflict(.noCheckpoint, message: "m"), 409, "no_checkpoint"),
            (.memoryLimit(field: "batch_size", message: "m"), 422, "memory_limit_exceeded"),
        ]
        for (error, status, code) in cases {
            let api = APIError(error)
            #expect(Int(api.status.code) == status && api.code == code, "\(error)")
        }
        #expect(APIError(.invalid(field: "", "x")).details == [.init(field: "body", message: "x")])
    }
}
