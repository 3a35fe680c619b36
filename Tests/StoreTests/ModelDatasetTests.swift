import Foundation
import Testing

@testable import Store

@Suite struct ModelDatasetTests {
    @Test(arguments: Storage.allCases)
    func modelWithoutWeightsRoundTrips(storage: Storage) throws {
        let store = try StoreFixture(storage).store
        let model = try store.createModel(name: "small-cnn", architecture: "small-cnn", spec: #"{"classes":10}"#, source: .builtin)
        #expect(RandomID.isWellFormed(model.id, prefix: "model") && model.weights == nil && model.source == .builtin)
        #expect(try store.model(model.id) == model)
        #expect(try store.models().data == [model])
    }

    @Test func modelProducedByAJobRemembersIt() throws {
        let store = try StoreFixture().store
        let job = try store.createJob(spec: spec)
        let model = try store.createModel(name: "tuned", architecture: "resnet18", spec: "{}", source: .job(job.id), weights: .bytes([9]))
        #expect(try store.model(model.id).source == .job(job.id))
    }

    @Test func modelFromAnUnknownJobIsNotFoundAndWritesNoFile() throws {
        let fixture = try StoreFixture()
        #expect(throws: StoreError.notFound(kind: "job", id: "job_0000000000000000")) {
            try fixture.store.createModel(name: "m", architecture: "a", spec: "{}", source: .job("job_0000000000000000"), weights: .bytes([1]))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory.file("artifacts")).isEmpty)
    }

    @Test func modelSpecThatIsNotJSONIsRefused() throws {
        #expect(throws: StoreError.invalidArgument(field: "spec", reason: "not valid JSON")) {
            try StoreFixture().store.createModel(name: "m", architecture: "a", spec: "[", source: .upload)
        }
    }

    @Test func emptyArchitectureIsRefused() throws {
        #expect(throws: StoreError.invalidArgument(field: "architecture", reason: "must be 1 to 256 characters")) {
            try StoreFixture().store.createModel(name: "m", architecture: "", spec: "{}", source: .upload)
        }
    }

    @Test func modelInUseCannotBeDeleted() throws {
        let store = try StoreFixture().store
        let model = try store.createModel(name: "base", architecture: "a", spec: "{}", source: .builtin)
        _ = try store.createJob(spec: spec, modelID: model.id)
        #expect(throws: StoreError.conflict(kind: "model", id: model.id, reason: "used by 1 queued, running or paused job(s)")) {
            try store.deleteModel(model.id)
        }
        #expect(try store.model(model.id) == model)
    }

    @Test func deletingAModelDeletesItsWeights() throws {
        let store = try StoreFixture().store
        let model = try store.createModel(name: "m", architecture: "a", spec: "{}", source: .upload, weights: .bytes([1, 2]))
        let path = store.artifactPath(try #require(model.weights))
        try store.deleteModel(model.id)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(throws: StoreError.notFound(kind: "model", id: model.id)) { try store.model(model.id) }
    }

    @Test func modelsPageNewestFirst() throws {
        let store = try StoreFixture(.memory).store
        let ids = try (0..<3).map { try store.createModel(name: "m\($0)", architecture: "a", spec: "{}", source: .builtin).id }
        let page = try store.models(page: PageRequest(limit: 2))
        #expect(page.data.map(\.id) == [ids[2], ids[1]] && page.hasMore)
    }

    @Test(arguments: Storage.allCases)
    func datasetRoundTrips(storage: Storage) throws {
        let store = try StoreFixture(storage).store
        let dataset = try store.createDataset(
            name: "pets", path: "/data/pets", classes: #"["cat","dog"]"#, counts: #"{"cat":3,"dog":4}"#,
            skipped: #"[{"file":"a.gif","reason":"format"}]"#)
        #expect(RandomID.isWellFormed(dataset.id, prefix: "dataset"))
        #expect(try store.dataset(dataset.id) == dataset)
        #expect(try store.datasets().data == [dataset])
        try store.deleteDataset(dataset.id)
        #expect(throws: StoreError.notFound(kind: "dataset", id: dataset.id)) { try store.dataset(dataset.id) }
    }

    @Test func datasetClassesThatAreNotJSONAreRefused() throws {
        #expect(throws: StoreError.invalidArgument(field: "classes", reason: "not valid JSON")) {
            try StoreFixture(.memory).store.createDataset(name: "d", path: "/d", classes: "cat,dog", counts: "{}")
        }
    }

    @Test func datasetCountsThatAreNotJSONAreRefused() throws {
        #expect(throws: StoreError.invalidArgument(field: "counts", reason: "not valid JSON")) {
            try StoreFixture(.memory).store.createDataset(name: "d", path: "/d", classes: "[]", counts: "{cat:1}")
        }
    }

    @Test func datasetWithEmptyPathIsRefused() throws {
        #expect(throws: StoreError.invalidArgument(field: "path", reason: "must not be empty")) {
            try StoreFixture(.memory).store.createDataset(name: "d", path: "", classes: "[]", counts: "{}")
        }
    }
}
