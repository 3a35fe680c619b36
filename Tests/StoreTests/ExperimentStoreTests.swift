import Foundation
import Testing

@testable import Store

/// `experiments` and `experiment_jobs`: an experiment and its children appear together or not at
/// all (every write of the insert failed in turn), children keep their order, a deleted child drops
/// out of its experiment, and everything survives a reopen.
@Suite struct ExperimentStoreTests {
    static let children = ["a", "b", "c"].enumerated().map { i, strategy in
        NewExperimentChild(name: "e/\(strategy)/seed-\(i)", spec: #"{"seed":\#(i)}"#, modelID: nil, strategy: strategy, seed: i)
    }

    static func counts(_ store: Store) throws -> [Int64?] {
        try ["experiments", "experiment_jobs", "jobs", "job_events"].map {
            try store.rawQuery("SELECT count(*) FROM \($0)").first?.first?.int
        }
    }

    @Test(arguments: Storage.allCases) func createReadListAndCancel(_ storage: Storage) throws {
        let fixture = try StoreFixture(storage)
        let store = fixture.store
        let created = try store.createExperiment(name: "e", request: #"{"name":"e"}"#, priority: 3, children: Self.children)
        #expect(created.id.hasPrefix("exp_") && created.name == "e" && !created.cancelRequested)
        #expect(created.children.map(\.strategy) == ["a", "b", "c"])
        #expect(created.children.map(\.position) == [0, 1, 2])
        for child in created.children {
            let job = try store.job(child.jobID)
            #expect(job.status == .queued && job.priority == 3 && job.spec == #"{"seed":\#(child.seed)}"#)
            #expect(try store.experimentID(ofJob: child.jobID) == created.id)
        }
        #expect(try store.experiment(created.id) == created)
        let other = try store.createExperiment(name: "f", request: "{}", priority: 0, children: Array(Self.children.prefix(1)))
        #expect(try store.experiments().data.map(\.id) == [other.id, created.id])
        let page = try store.experiments(page: PageRequest(after: other.id, limit: 1))
        #expect(page.data.map(\.id) == [created.id] && !page.hasMore)
        #expect(try store.requestExperimentCancel(created.id).cancelRequested)
        #expect(throws: StoreError.notFound(kind: "experiment", id: "exp_0000000000000000")) {
            try store.experiment("exp_0000000000000000")
        }
        #expect(try store.experimentID(ofJob: "job_0000000000000000") == nil)
    }

    @Test func aDeletedChildDropsOutAndTheRestSurviveAReopen() throws {
        let fixture = try StoreFixture(.file)
        let created = try fixture.store.createExperiment(name: "e", request: "{}", priority: 0, children: Self.children)
        let first = created.children[0].jobID
        try fixture.store.transitionJob(first, to: .cancelled)
        try fixture.store.deleteJob(first)
        #expect(try fixture.store.experiment(created.id).children.map(\.strategy) == ["b", "c"])
        let reopened = try fixture.reopen()
        #expect(try reopened.experiment(created.id).children == (try fixture.store.experiment(created.id).children))
    }

    @Test func refusedArgumentsWriteNothing() throws {
        let store = try StoreFixture(.memory).store
        #expect(throws: StoreError.self) { try store.createExperiment(name: "", request: "{}", priority: 0, children: Self.children) }
        #expect(throws: StoreError.self) { try store.createExperiment(name: "e", request: "[]", priority: 0, children: Self.children) }
        #expect(throws: StoreError.self) { try store.createExperiment(name: "e", request: "{}", priority: 0, children: []) }
        #expect(try Self.counts(store) == [0, 0, 0, 0])
    }

    @Test func everyFailedWriteLeavesNothingBehind() throws {
        let probe = try StoreFixture(.file)
        probe.store.resetWriteCount()
        try probe.store.createExperiment(name: "e", request: "{}", priority: 0, children: Self.children)
        let writes = probe.store.writeCount
        #expect(writes >= 8)
        for k in 1...writes {
            let fixture = try StoreFixture(.file)
            fixture.store.failWrite(at: k)
            #expect(throws: StoreError.self, "write \(k) of \(writes)") {
                try fixture.store.createExperiment(name: "e", request: "{}", priority: 0, children: Self.children)
            }
            #expect(try Self.counts(fixture.store) == [0, 0, 0, 0], "write \(k) of \(writes) left rows")
            #expect(try fixture.store.rawQuery("PRAGMA foreign_key_check").isEmpty)
            let retried = try fixture.store.createExperiment(name: "e", request: "{}", priority: 0, children: Self.children)
            #expect(retried.children.count == 3)
        }
    }
}
