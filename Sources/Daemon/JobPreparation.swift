import Data
import Foundation
import JobAPI
import NN
import Store
import Training

/// thawd's side of a run's preparation: resolves a claimed job's records — its spec, the registered
/// model's descriptor and weights (or the built-in architecture), the dataset catalog entry, the
/// resume checkpoint when the job was interrupted before — and hands them to Training's
/// `RunPreparation`, the one preparation thawd and thaw-bench share. Holds its dependencies, not
/// the daemon.
struct JobPreparation {
    /// A failure with the code the job records (`model_missing`, `dataset_missing`, `invalid_resume`,
    /// and `RunPreparation`'s).
    typealias Failure = RunPreparation.Failure

    let store: Store
    let datasets: DatasetCatalog
    /// Engine threads, the memory limit (checked again here: it may have been lowered since the job
    /// was accepted) and thawd's test-time augmentation.
    let preparation: RunPreparation

    func input(for job: JobRecord) throws -> JobRunInput {
        let spec: JobSpec
        switch JobSpec.parse(json: Data(job.spec.utf8)) {
        case .success(let parsed): spec = parsed
        case .failure(let error): throw StoreError.corruptRecord(table: "jobs", column: "spec", reason: error.description)
        }
        let model = try resolveModel(spec.model)
        let dataset = CatalogDataSource(catalog: datasets, id: spec.dataset.id, info: try? datasets.info(id: spec.dataset.id))
        return try preparation.input(jobID: job.id, spec: spec, model: model, dataset: dataset,
                                     resume: job.isResume ? try resumeState(job: job.id) : nil)
    }

    /// The registered model's architecture, class names, normalization and (read when the
    /// preparation needs them) weights, or a built-in.
    func resolveModel(_ source: JobAPI.ModelSource) throws -> ResolvedModel {
        switch source {
        case .architecture(let name):
            guard let architecture = try? BuiltinArchitectures.spec(named: name) else {
                throw Failure(code: "model_missing", message: "unknown architecture '\(name)'; built-ins are \(BuiltinArchitectures.names.joined(separator: ", "))")
            }
            return .scratch(architecture: architecture)
        case .registered(let id):
            guard let record = try? store.model(id), let descriptor = try? ModelDescriptor.decode(record.spec) else {
                throw Failure(code: "model_missing", message: "no model with id '\(id)'")
            }
            return .pretrained(architecture: descriptor.spec, classNames: descriptor.classNames,
                               normalization: Normalization(mean: descriptor.mean.map(Float.init), std: descriptor.std.map(Float.init))) {
                guard let weights = record.weights else {
                    throw Failure(code: "model_missing", message: "model '\(record.id)' has no weights")
                }
                return try Safetensors.decode(try store.readArtifact(weights)).tensors
            }
        }
    }

    /// The resume point of an interrupted job: its newest resume state and the epoch weights beside it.
    func resumeState(job: String) throws -> ResumeState? {
        guard let stateRecord = try store.resumeCheckpoint(job: job) else { return nil }
        guard let weightsRecord = try store.checkpoints(job: job).last(where: { $0.kind == .epoch && $0.epoch == stateRecord.epoch }) else {
            throw Failure(code: "invalid_resume", message: "no weights for the epoch-\(stateRecord.epoch) resume state")
        }
        do {
            return try ResumeState.decode(weights: store.readCheckpoint(weightsRecord), state: store.readCheckpoint(stateRecord))
        } catch {
            throw Failure(code: "invalid_resume", message: "\(error)")
        }
    }
}

/// A catalog dataset (Fashion-MNIST or a registered image folder) as a run's data source; `info` nil
/// when the catalog no longer has it.
struct CatalogDataSource: RunDataSource {
    let catalog: DatasetCatalog
    let id: String
    let info: DatasetCatalog.Info?

    func load(channels: Int, height: Int, width: Int, cropFraction: Double, wholePhotos: Bool) throws -> DatasetSource.Loaded {
        guard info != nil else {
            throw JobPreparation.Failure(code: "dataset_missing", message: "dataset '\(id)' is no longer available")
        }
        return try catalog.load(id: id, channels: channels, height: height, width: width, cropFraction: cropFraction,
                                wholePhotos: wholePhotos)
    }
}

extension Daemon {
    /// How this daemon prepares its runs: its store and datasets, its memory limit, the engine
    /// threads of one worker (`--blas-threads`, default the cores divided among the workers), and
    /// test-time augmentation by horizontal flip.
    var jobPreparation: JobPreparation {
        let threads = configuration.blasThreads ?? max(1, ProcessInfo.processInfo.activeProcessorCount / configuration.workers)
        return JobPreparation(store: store, datasets: datasets,
                              preparation: RunPreparation(engineThreads: threads, memoryLimit: configuration.resolvedMaxJobMemory,
                                                          testTimeAugmentation: .flip))
    }

    /// Everything one run takes from this daemon (`JobExecution`).
    var executionDependencies: JobExecution.Dependencies {
        JobExecution.Dependencies(store: store, preparation: jobPreparation, metrics: metrics,
                                  redactor: PathRedactor(configuration: configuration), keepLast: configuration.keepLast)
    }
}
