import Data
import Foundation
import JobAPI
import NN
@testable import Training

/// Real Fashion-MNIST, loaded once per test process.
enum FashionSubsets {
    nonisolated(unsafe) static let train: LabeledImages = try! FashionMNIST.load(split: .train)
    nonisolated(unsafe) static let test: LabeledImages = try! FashionMNIST.load(split: .test)

    /// `perClass` training images of each of `classes` (relabelled 0..<k), `validationFraction` of them
    /// held out, and the first `testPerClass` test images of each class.
    static func select(classes: [Int], perClass: Int, validationFraction: Double = 0.2, testPerClass: Int = 30,
                       seed: UInt64 = 1) -> SelectedData {
        var selected = try! DataSelection.stratified(classes: classes, perClass: perClass,
                                                     validationFraction: validationFraction, seed: seed)
            .apply(train: train, test: test)
        var picked: [Int] = []
        var counts = [Int](repeating: 0, count: classes.count)
        for (i, label) in selected.test!.labels.enumerated() where counts[label] < testPerClass {
            counts[label] += 1
            picked.append(i)
        }
        selected.test = selected.test!.gathering(picked)
        return selected
    }
}

/// A job spec from JSON through the daemon's parser, so tests run what users post.
func jobSpec(_ json: String) -> JobSpec {
    switch JobSpec.parse(json: Foundation.Data(json.utf8)) {
    case .success(let spec): return spec
    case .failure(let error): fatalError("test spec does not parse: \(error)")
    }
}

/// An in-memory daemon: records events and checkpoints, delivers scripted commands at given batch
/// boundaries (the n-th `takeCommands` call, 1-based), and raises `shouldInterrupt` once a number of
/// epoch checkpoints has been saved.
final class RecordingObserver: JobRunObserver {
    var events: [TrainingEvent] = []
    var checkpoints: [CheckpointPayload] = []
    var commandsAtBoundary: [Int: [PendingCommand]] = [:]
    var interruptAfterEpochCheckpoints: Int?
    private(set) var boundaries = 0
    /// Called at every `takeCommands`, for commands that depend on what happened so far.
    var onBoundary: ((RecordingObserver) -> [PendingCommand])?

    func emit(_ event: TrainingEvent) {
        // Every payload must encode, and what a reader decodes from it must encode to the same bytes.
        let payload = try! event.payload()
        precondition(try! TrainingEvent(type: event.type, payload: payload).payload() == payload, "\(event) does not round-trip")
        events.append(event)
    }

    func saveCheckpoint(_ checkpoint: CheckpointPayload) throws { checkpoints.append(checkpoint) }

    func takeCommands() -> [PendingCommand] {
        boundaries += 1
        return (commandsAtBoundary.removeValue(forKey: boundaries) ?? []) + (onBoundary?(self) ?? [])
    }

    var shouldInterrupt: Bool {
        guard let limit = interruptAfterEpochCheckpoints else { return false }
        return checkpoints.filter { $0.kind == .epoch }.count >= limit
    }

    /// The payloads of one event type as the wire carries them (JSON objects).
    func payloads(_ type: String) -> [[String: JSONValue]] {
        events.filter { $0.type.rawValue == type }.compactMap { event in
            let value = try! JSONDecoder().decode(JSONValue.self, from: try! event.payload())
            if case .object(let o) = value { return o } else { return nil }
        }
    }
}

extension JSONValue {
    var double: Double? { if case .number(let v) = self { v } else { nil } }
    var string: String? { if case .string(let v) = self { v } else { nil } }
    var bool: Bool? { if case .bool(let v) = self { v } else { nil } }
    var strings: [String]? {
        if case .array(let items) = self { items.compactMap(\.string) } else { nil }
    }
    subscript(key: String) -> JSONValue? { if case .object(let o) = self { o[key] } else { nil } }
}

/// A fresh small-cnn with `classes` outputs, initialised from `seed`.
func smallCNN(classes: Int, seed: UInt64 = 7) -> Model {
    try! Model(architecture: "small-cnn", classes: classes, seed: seed)
}

func runJob(_ spec: JobSpec, model: Model, data: SelectedData, observer: RecordingObserver,
            resume: ResumeState? = nil, threads: Int = 1, cacheLimitBytes: Int = 1 << 30) -> JobRunOutcome {
    let input = JobRunInput(jobID: "job-test", spec: spec, model: model, data: data, normalization: .fashionMNIST,
                            blasThreads: threads, resume: resume, cacheLimitBytes: cacheLimitBytes)
    return JobRunner(input: input, observer: observer).run()
}

extension JobRunOutcome {
    var report: FinalReport? {
        switch self {
        case .succeeded(let r), .stopped(let r): r
        default: nil
        }
    }
}
