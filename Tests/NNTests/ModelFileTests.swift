import Foundation
import NN
import Tensor
import Testing

/// Loading weights into models: strictness, shape and dtype checks, self-describing files.
@Suite struct ModelFileTests {
    static func tempPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("thaw-model-\(UUID().uuidString).safetensors").path
    }

    @Test func saveThenLoadRebuildsTheSameModelAndMetadata() throws {
        let model = try Model(architecture: "resnet-mini", seed: 3)
        let path = Self.tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let meta = ModelMetadata(spec: model.spec, classNames: (0..<10).map { "c\($0)" }, job: "job-17")
        try model.save(to: path, metadata: meta)
        let (loaded, readMeta) = try Model.load(path: path)
        #expect(readMeta == meta)
        #expect(loaded.stateDict() == model.stateDict())
        let raw = try Safetensors.read(path: path)
        #expect(raw.metadata["thaw.architecture"] == "resnet-mini")
        #expect(raw.metadata["thaw.input_shape"] == "[1,28,28]")
        #expect(raw.metadata["format"] == "pt")
        #expect(raw.tensors["bn1.num_batches_tracked"]?.dtype == .i64)
    }

    @Test func missingKeyIsNamed() throws {
        let model = try Model(architecture: "small-cnn")
        var d = model.stateDict()
        d.entries.removeAll { $0.name == "features.4.running_var" }
        #expect(throws: StateDictError.missingKey("features.4.running_var")) { try model.load(stateDict: d) }
        try model.load(stateDict: d, strict: false)
    }

    @Test func unexpectedKeyIsNamed() throws {
        let model = try Model(architecture: "small-cnn")
        var d = model.stateDict()
        d.append("fc.extra", Tensor(shape: [1], storage: [0]))
        #expect(throws: StateDictError.unexpectedKey("fc.extra")) { try model.load(stateDict: d) }
    }

    @Test func wrongShapeIsNamedAndLeavesTheModelUnchanged() throws {
        let model = try Model(architecture: "small-cnn")
        let before = model.stateDict()
        var d = try Model(architecture: "small-cnn", seed: 9).stateDict()
        let i = d.entries.firstIndex { $0.name == "fc.weight" }!
        d.entries[i].tensor = Tensor.zeros([5, 64])
        #expect(throws: StateDictError.shapeMismatch(key: "fc.weight", expected: [10, 64], got: [5, 64])) {
            try model.load(stateDict: d)
        }
        #expect(model.stateDict() == before)
    }

    @Test func wrongDTypeIsNamed() throws {
        let model = try Model(architecture: "small-cnn")
        var d = model.stateDict()
        let i = d.entries.firstIndex { $0.name == "features.0.weight" }!
        d.entries[i].dtype = .i64
        #expect(throws: StateDictError.dtypeMismatch(key: "features.0.weight", expected: "F32/F16/BF16", got: "I64")) {
            try model.load(stateDict: d)
        }
    }

    @Test func fileWithoutThawMetadataIsRejectedByModelLoad() throws {
        let path = Self.tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Safetensors.write(try Model(architecture: "small-cnn").stateDict(), metadata: ["format": "pt"], to: path)
        #expect(throws: ModelFileError.self) { try Model.load(path: path) }
    }

    @Test func bf16WeightsLoadIntoAFloatModel() throws {
        let model = try Model(architecture: "small-cnn")
        var d = model.stateDict()
        for i in d.entries.indices where d.entries[i].dtype == .f32 { d.entries[i].dtype = .bf16 }
        try model.load(stateDict: d)
    }
}
