import Data
import Foundation
import NN
import Store
import Training

/// Turns a claimed job record into a `JobRunInput`: the model (`JobModel`: registered weights with the
/// head replaced unless it already predicts the job's classes, or a fresh built-in), the selected data
/// views, the input normalization, and the resume point when the job was interrupted before.
struct JobPreparation {
    struct Failure: Error {
        var code: String
        var message: String
    }

    let daemon: Daemon
    let job: JobRecord

    func input() throws -> JobRunInput {
        let (spec, context) = try daemon.jobContext(for: job)
        let shape = spec.inputSize ?? context.architecture.inputShape
        guard shape.count == 3 else { throw Failure(code: "invalid_model", message: "input shape \(shape) is not C,H,W") }
        guard let info = context.dataset else {
            throw Failure(code: "dataset_missing", message: "dataset '\(spec.dataset.id)' is no longer available")
        }
        let loaded: DatasetSource.Loaded
        do {
            loaded = try daemon.datasets.load(id: info.id, channels: shape[0], height: shape[1], width: shape[2],
                                              cropFraction: spec.dataset.cropFraction)
        } catch {
            throw Failure(code: "invalid_data", message: "\(error)")
        }
        let data: SelectedData
        do { data = try spec.dataset.selection(jobSeed: spec.seed).apply(train: loaded.train, test: loaded.test) } catch {
            throw Failure(code: "invalid_data", message: "\(error)")
        }
        let classes = data.classNames.count
        let seed = UInt64(max(0, spec.seed))
        // Checked again here: the limit may have been lowered since the job was accepted.
        let estimate: MemoryEstimate
        do { estimate = try spec.memoryEstimate(on: context.architecture, classes: classes) } catch {
            throw Failure(code: "invalid_model", message: error.description)
        }
        if let problem = estimate.problem(limit: daemon.configuration.resolvedMaxJobMemory, what: "the job") {
            throw Failure(code: "memory_limit_exceeded", message: problem)
        }

        let model: Model
        var normalization: Normalization
        let headIsNew: Bool
        if let record = context.modelRecord, let descriptor = context.descriptor {
            guard let weights = record.weights else {
                throw Failure(code: "model_missing", message: "model '\(record.id)' has no weights")
            }
            let bytes = try daemon.store.readArtifact(weights)
            let file = try Safetensors.decode(bytes)
            (model, headIsNew) = try JobModel.pretrained(spec: descriptor.spec, inputShape: shape, weights: file.tensors,
                                                         classNames: descriptor.classNames, jobClassNames: data.classNames,
                                                         seed: seed)
            normalization = descriptor.mean.isEmpty
                ? .computed(from: data.train)
                : Normalization(mean: descriptor.mean.map(Float.init), std: descriptor.std.map(Float.init))
        } else {
            model = try JobModel.scratch(architecture: context.architecture.name, classes: classes, inputShape: shape, seed: seed)
            headIsNew = true
            normalization = info.id == FashionMNIST.name ? .fashionMNIST : .computed(from: data.train)
        }
        if normalization.mean.count != shape[0] { normalization = .computed(from: data.train) }

        var resume: ResumeState?
        if job.isResume, let stateRecord = try daemon.resumeCheckpoint(job: job.id) {
            let weightsRecord = try daemon.store.checkpoints(job: job.id)
                .last { $0.kind == .epoch && $0.epoch == stateRecord.epoch }
            guard let weightsRecord else {
                throw Failure(code: "invalid_resume", message: "no weights for the epoch-\(stateRecord.epoch) resume state")
            }
            do {
                resume = try ResumeState.decode(weights: daemon.store.readCheckpoint(weightsRecord),
                                                state: daemon.store.readCheckpoint(stateRecord))
            } catch {
                throw Failure(code: "invalid_resume", message: "\(error)")
            }
        }
        let blasThreads = daemon.configuration.blasThreads
            ?? max(1, ProcessInfo.processInfo.activeProcessorCount / daemon.configuration.workers)
        return JobRunInput(jobID: job.id, spec: spec, model: model, data: data, normalization: normalization,
                           blasThreads: blasThreads, resume: resume, headIsNew: headIsNew,
                           testTimeAugmentation: .flip)
    }
}
