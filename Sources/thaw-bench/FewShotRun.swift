import Data
import Foundation
import JobAPI
import NN
import Training

/// One job run in-process through the real `JobRunner`, prepared by the daemon's own preparation
/// (`RunPreparation`), with the final test accuracy and the wall time.
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
    ///
    /// Prepared by thawd's own `RunPreparation` (the same normalization rule: the pretrained weights'
    /// recorded one, else Fashion-MNIST's published constants), without thawd's flip test-time
    /// augmentation: the protocol compares the plain test accuracy with PyTorch's, and the extra pass
    /// would only add to the wall time.
    func run(_ spec: JobSpec, pretrained: WeightsFile?) throws -> Result {
        let model: ResolvedModel
        switch spec.model {
        case .registered(let id):
            guard let pretrained else { throw FewShotFailure("\(spec.name): model \(id) needs pretrained weights") }
            model = .pretrained(architecture: pretrained.architecture, classNames: pretrained.classNames,
                                normalization: pretrained.normalization) { pretrained.stateDict }
        case .architecture(let name):
            model = .scratch(architecture: try BuiltinArchitectures.spec(named: name))
        }
        let preparation = RunPreparation(engineThreads: threads, memoryLimit: nil, testTimeAugmentation: nil)
        let input: JobRunInput
        do {
            input = try preparation.input(jobID: spec.name, spec: spec, model: model,
                                          dataset: LoadedDataSource(id: FashionMNIST.name, train: train, test: test))
        } catch let failure as RunPreparation.Failure {
            throw FewShotFailure("\(spec.name): \(failure.code): \(failure.message)")
        }
        let data = input.data, headIsNew = input.headIsNew
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
