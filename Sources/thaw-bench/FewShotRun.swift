import Data
import Foundation
import JobAPI
import NN
import Training

/// One job run in-process through the real `JobRunner`, prepared as the daemon prepares it
/// (`DatasetSpec.selection`, `JobModel`), with the final test accuracy and the wall time.
struct FewShotRun {
    struct Result {
        var report: FinalReport
        var seconds: Double
        var headIsNew: Bool
        var trainImages: Int
        var validationImages: Int
        var testImages: Int

        var testAccuracy: Double { report.test?.accuracy ?? .nan }
        /// Index (0-based) of the phase whose epoch the final weights come from.
        var bestPhase: Int? { report.bestEpoch.flatMap { e in report.history.first { $0.epoch == e - 1 }?.phase } }
    }

    /// Records nothing: the bench reads the final report.
    final class Quiet: JobRunObserver {
        func emit(_ event: TrainingEvent) {}
        func saveCheckpoint(_ checkpoint: CheckpointPayload) throws {}
        func takeCommands() -> [PendingCommand] { [] }
        var shouldInterrupt: Bool { false }
    }

    let train: LabeledImages
    let test: LabeledImages
    let threads: Int

    /// Runs `spec`. A registered model (`{"id": ...}`) stands for `pretrained`, which must then be given.
    func run(_ spec: JobSpec, pretrained: WeightsFile?) throws -> Result {
        let data = try spec.dataset.selection(jobSeed: spec.seed).apply(train: train, test: test)
        let seed = UInt64(spec.seed)
        let model: Model, normalization: Normalization, headIsNew: Bool
        switch spec.model {
        case .registered(let id):
            guard let pretrained else { throw FewShotFailure("\(spec.name): model \(id) needs pretrained weights") }
            (model, headIsNew) = try JobModel.pretrained(spec: pretrained.architecture, weights: pretrained.stateDict,
                                                         classNames: pretrained.classNames,
                                                         jobClassNames: data.classNames, seed: seed)
            normalization = pretrained.normalization
        case .architecture(let name):
            model = try JobModel.scratch(architecture: name, classes: data.classNames.count, seed: seed)
            normalization = .fashionMNIST
            headIsNew = true
        }
        let input = JobRunInput(jobID: spec.name, spec: spec, model: model, data: data, normalization: normalization,
                                blasThreads: threads, headIsNew: headIsNew)
        let started = Date()
        let outcome = JobRunner(input: input, observer: Quiet()).run()
        let seconds = Date().timeIntervalSince(started)
        switch outcome {
        case .succeeded(let report), .stopped(let report):
            return Result(report: report, seconds: seconds, headIsNew: headIsNew, trainImages: data.train.count,
                          validationImages: data.validation.count, testImages: data.test?.count ?? 0)
        case .failed(let code, let message): throw FewShotFailure("\(spec.name): \(code): \(message)")
        case .cancelled, .interrupted: throw FewShotFailure("\(spec.name): ended without a report")
        }
    }
}
