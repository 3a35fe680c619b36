import Foundation
import JobAPI
import NN
import Store
import Testing

@testable import Daemon

/// `ModelService` and `DatasetService` on their own: built from a store, a dataset catalog and a
/// memory budget, called with decoded requests (no router, no HTTP types), refusing with typed errors.
@Suite final class ResourceServiceTests {
    let directory: String
    let root: String
    let store: Store
    let models: ModelService
    let datasets: DatasetService

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-resources-\(UUID().uuidString)").path
        root = directory + "/datasets"
        try InProcessAPI.writeShapes(root: root + "/shapes", perClass: 2)
        store = try Store(configuration: .dataDirectory(directory))
        let catalog = DatasetCatalog(store: store, fashionMNISTRoot: directory + "/none", cacheDirectory: directory + "/cache",
                                     datasetRoot: root)
        models = ModelService(store: store, memory: MemoryBudget(limit: 1 << 30))
        datasets = DatasetService(store: store, catalog: catalog)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func modelRequest(_ text: String) throws -> CreateModelRequest {
        try CreateModelRequest.read(Wire.decode(JSONValue.self, from: Data(text.utf8)), architectures: BuiltinArchitectures.names).get()
    }

    @Test func aBuiltinModelIsStoredWithItsWeightsAndListed() throws {
        let view = try models.create(modelRequest(#"{"name": "m", "architecture": "small-cnn", "class_names": ["circle", "square"], "num_classes": 2}"#))
        #expect(view.name == "m" && view.numClasses == 2 && view.source == .builtin && view.classNames == ["circle", "square"])
        #expect(try models.model(view.id) == view)
        let weights = try models.weights(view.id)
        #expect(weights.stem == view.id && weights.artifact.sha256 == view.weights?.sha256)
        #expect(try models.models(page: PageRequest(limit: 10)).data.map(\.id) == [view.id])
        #expect(try models.delete(view.id) == DeletedView(id: view.id, object: "model"))
        #expect(throws: StoreError.self) { try self.models.model(view.id) }
    }

    @Test func modelRefusalsAreTyped() throws {
        #expect(throws: JobServiceError.invalid(field: "class_names", "has 1 names for 2 classes")) {
            try self.models.create(self.modelRequest(#"{"name": "m", "architecture": "small-cnn", "num_classes": 2, "class_names": ["a"]}"#))
        }
        #expect(throws: JobServiceError.invalid(field: "from_job", "no job with id 'job_nope'")) {
            try self.models.create(self.modelRequest(#"{"name": "m", "from_job": "job_nope"}"#))
        }
        let small = ModelService(store: store, memory: MemoryBudget(limit: 1 << 10))
        do {
            _ = try small.create(modelRequest(#"{"name": "m", "architecture": "small-cnn"}"#))
            Issue.record("a model over the budget must be refused")
        } catch JobServiceError.memoryLimit(let field, _) {
            #expect(field == "architecture")
        }
        let bare = try store.createModel(name: "bare", architecture: "small-cnn", spec: "{}", source: .upload)
        #expect(throws: JobServiceError.missing(code: "weights_not_found", message: "model '\(bare.id)' has no stored weights")) {
            try self.models.weights(bare.id)
        }
    }

    @Test func aDatasetIsRegisteredListedAndForgotten() throws {
        let view = try datasets.register(CreateDatasetRequest(name: "shapes", path: "shapes"))
        #expect(view.name == "shapes" && !view.builtin && view.path == "shapes", "paths are shown relative to the root")
        #expect(try datasets.dataset(view.id) == view)
        #expect(try datasets.datasets(page: PageRequest(limit: 10)).data.map(\.id) == [view.id],
                "no built-in while fashion-mnist is not installed")
        #expect(try datasets.delete(view.id) == DeletedView(id: view.id, object: "dataset"))
        #expect(throws: StoreError.self) { try self.datasets.dataset(view.id) }
    }

    @Test func datasetRefusalsAreTyped() throws {
        do {
            _ = try datasets.register(CreateDatasetRequest(name: "x", path: "../outside"))
            Issue.record("a path outside the root must be refused")
        } catch JobServiceError.invalid(let problems, _) {
            #expect(problems.map(\.path) == ["path"])
        }
        do {
            _ = try datasets.register(CreateDatasetRequest(name: "x", path: "missing"))
            Issue.record("a missing folder must be refused")
        } catch JobServiceError.invalid(let problems, _) {
            #expect(problems.map(\.path) == ["path"])
        }
        #expect(throws: JobServiceError.conflict(.inUse, message: "dataset 'fashion-mnist' is built in and cannot be deleted")) {
            try self.datasets.delete("fashion-mnist")
        }
    }
}
