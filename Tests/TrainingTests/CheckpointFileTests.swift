import Data
import Foundation
import NN
import Testing
@testable import Training

/// Checkpoint bytes: round trips, interoperability with NN's model files, and every malformed input.
@Suite struct CheckpointFileTests {
    nonisolated(unsafe) static let model = smallCNN(classes: 3)
    static let weights = WeightsFile(model: model, normalization: .fashionMNIST, classNames: ["a", "b", "c"], jobID: "j1").encoded()
    static var run: RunState {
        var r = RunState(jobID: "j1", groups: GroupState(groups: [(name: "body", layers: ["features.0"]), (name: "head", layers: ["fc"])]),
                         best: Tracker(monitor: .valLoss), seed: 4)
        r.phaseIndex = 1
        r.globalStep = 17
        return r
    }
    static let optimizer = StateDict([NamedTensor(name: "fc.weight.momentum_buffer", tensor: .zeros([3, 64]))])

    static func stateFile(metadata: [String: String], tensors: StateDict = optimizer) -> [UInt8] {
        Safetensors.encode(tensors, metadata: metadata)
    }

    static var validMetadata: [String: String] {
        ["format": ResumeState.format, "format_version": ResumeState.formatVersion,
         "run_state": String(decoding: try! JSONEncoder().encode(run), as: UTF8.self)]
    }

    func expectError(_ state: [UInt8], file: String, key: String?) { expectError(Self.weights, state, file: file, key: key) }

    func expectError(_ weights: [UInt8], _ state: [UInt8], file: String, key: String?) {
        do {
            _ = try ResumeState.decode(weights: weights, state: state)
            Issue.record("decoded a malformed checkpoint")
        } catch {
            #expect(error.file == file)
            #expect(error.key == key, "\(error)")
        }
    }

    @Test func stateRoundTripsRunStateAndTensorsByPrefix() throws {
        let best = Self.model.stateDict()
        let bytes = ResumeState.encodeState(run: Self.run, optimizer: Self.optimizer, jobBest: best, phaseBest: nil)
        let resume = try ResumeState.decode(weights: Self.weights, state: bytes)
        #expect(resume.run == Self.run)
        #expect(resume.optimizer == Self.optimizer)
        #expect(resume.jobBest == best)
        #expect(resume.phaseBest == nil)
        #expect(resume.weights.classNames == ["a", "b", "c"])
    }

    @Test func weightsFileLoadsThroughNNsModelFileReader() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-weights-\(getpid()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        FileManager.default.createFile(atPath: path, contents: Foundation.Data(Self.weights))
        let (model, metadata) = try Model.load(path: path)
        #expect(metadata.classNames == ["a", "b", "c"])
        #expect(metadata.job == "j1")
        #expect(model.stateDict() == Self.model.stateDict())
    }

    @Test func truncatedStateFile() {
        expectError(Array(Self.stateFile(metadata: Self.validMetadata).prefix(5)), file: "state", key: nil)
    }

    @Test func stateFileWithAnotherFormat() {
        var m = Self.validMetadata
        m["format"] = "pt"
        expectError(Self.stateFile(metadata: m), file: "state", key: "format")
    }

    @Test func stateFileWithAFutureVersion() {
        var m = Self.validMetadata
        m["format_version"] = "2"
        expectError(Self.stateFile(metadata: m), file: "state", key: "format_version")
    }

    @Test func stateFileWithoutRunState() {
        var m = Self.validMetadata
        m["run_state"] = nil
        expectError(Self.stateFile(metadata: m), file: "state", key: "run_state")
    }

    @Test func runStateThatIsNotJSON() {
        var m = Self.validMetadata
        m["run_state"] = "{phase"
        expectError(Self.stateFile(metadata: m), file: "state", key: "run_state")
    }

    @Test func runStateOfAnotherVersion() {
        var m = Self.validMetadata
        var run = Self.run
        run.version = 99
        m["run_state"] = String(decoding: try! JSONEncoder().encode(run), as: UTF8.self)
        expectError(Self.stateFile(metadata: m), file: "state", key: "run_state.version")
    }

    @Test func stateTensorWithoutPrefix() {
        let tensors = StateDict([NamedTensor(name: "fc.weight", tensor: .zeros([1]))])
        expectError(Self.stateFile(metadata: Self.validMetadata, tensors: tensors), file: "state", key: "fc.weight")
    }

    @Test func stateTensorWithUnknownPrefix() {
        let tensors = StateDict([NamedTensor(name: "ema/fc.weight", tensor: .zeros([1]))])
        expectError(Self.stateFile(metadata: Self.validMetadata, tensors: tensors), file: "state", key: "ema/fc.weight")
    }

    @Test func weightsWithoutArchitectureSpec() {
        let bytes = Safetensors.encode(Self.model.stateDict(), metadata: ["format": "pt"])
        expectError(bytes, Self.stateFile(metadata: Self.validMetadata), file: "weights", key: "thaw.spec")
    }

    @Test func weightsThatAreNotSafetensors() {
        expectError([1, 2, 3], Self.stateFile(metadata: Self.validMetadata), file: "weights", key: nil)
    }
}
