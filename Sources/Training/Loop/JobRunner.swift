import Data
import JobAPI
import NN
import Tensor

/// Runs one job (a `JobSpec` on a model and data) from start or from a resume point to an outcome,
/// reporting through a `JobRunObserver`. Library code: no HTTP, no SQL, no files.
///
/// One runner per run, used from one thread: `run()` blocks until the job ends, pauses included.
/// Batch boundaries are where commands apply and interruption is noticed; epoch ends are where
/// validation, early stopping, advice, checkpoints and events happen (`JobRunner+Epochs`).
///
/// Determinism: with the same seed and `blasThreads`, a run's metrics are a pure function of the spec,
/// the initial weights and the data; a run resumed from its epoch-k checkpoint continues exactly as the
/// uninterrupted run (shuffles are `(seed, job epoch)` functions, the schedule is a function of the
/// step, optimizer and tracker state are checkpointed).
public final class JobRunner {
    let jobID: String
    let spec: JobSpec
    let model: Model
    let data: SelectedData
    let normalization: Normalization
    let observer: JobRunObserver
    let headIsNew: Bool
    let testTimeAugmentation: TestTimeAugmentation?
    let cacheLimitBytes: Int
    let threads: Int

    var state: RunState
    var optimizer: (any Optimizer)?
    /// The body's activations for the current trainable set; nil when not cacheable or invalidated.
    var cache: ActivationCache?
    var paused = false
    /// Best weights of the job / of the running phase (phase early stopping only).
    var jobBest: StateDict?
    var phaseBest: StateDict?
    /// LR of each group at the last step (what `epoch` and `control` events report).
    var lastLRs: [Double]
    var resume: ResumeState?

    /// Batches per training epoch; a final batch of a single image is dropped (batch statistics of one
    /// image are degenerate).
    let stepsPerEpoch: Int
    let dropLast: Bool
    /// Evaluation batch size: inference keeps no activations for backward, so it can be larger.
    let evaluationBatchSize: Int

    public init(input: JobRunInput, observer: JobRunObserver) {
        jobID = input.jobID
        spec = input.spec
        model = input.model
        data = input.data
        normalization = input.normalization
        self.observer = observer
        headIsNew = input.headIsNew
        testTimeAugmentation = input.testTimeAugmentation
        cacheLimitBytes = input.cacheLimitBytes
        threads = max(1, input.blasThreads)
        resume = input.resume
        let n = input.data.train.count, bs = input.spec.batchSize
        dropLast = n % bs == 1 && n > 1
        stepsPerEpoch = max(1, dropLast ? n / bs : (n + bs - 1) / bs)
        evaluationBatchSize = max(bs, 256)
        let groups = GroupState(groups: input.model.groups.map { g in
            (g, input.model.layers.indices.filter { input.model.layerGroups[$0] == g && !input.model.layers[$0].parameters.isEmpty }
                .map { input.model.layers[$0].name })
        })
        let monitor = input.spec.earlyStopping.map { Tracker(monitor: $0.monitor, mode: $0.mode, minDelta: $0.minDelta) }
            ?? Tracker(monitor: input.data.validation.count > 0 ? .valLoss : .trainLoss)
        state = RunState(jobID: input.jobID, groups: groups, best: monitor, seed: UInt64(max(0, input.spec.seed)))
        state.jobStopping = input.spec.earlyStopping.map { EarlyStopping(spec: $0, scope: .job) }
        state.autoUnfreeze = input.spec.autoUnfreeze.map { AutoUnfreezePolicy(spec: $0) }
        lastLRs = groups.peakLRs
    }

    /// Runs the job to its end, a stop, a cancel, an interruption or a failure.
    public func run() -> JobRunOutcome {
        Parallel.threads = threads
        do {
            try prepare()
            switch spec.kind {
            case .train: return try runPhases()
            case .lrFind: return try runLRFind()
            }
        } catch let failure as RunFailure {
            return .failed(code: failure.code, message: failure.message)
        } catch is RunInterrupted {
            emitStatus(.interrupted)
            return .interrupted
        } catch {
            return .failed(code: .engineError, message: "\(error)")
        }
    }

    /// Checks the data against the model and applies the resume point.
    private func prepare() throws {
        do {
            try data.train.checkMatchesModel(classes: model.classes)
            guard data.train.count > 0 else { throw RunFailure(.invalidData, "the training split is empty") }
        } catch let e as DataError {
            throw RunFailure(.invalidData, "\(e)")
        }
        guard let resume else { return }
        do {
            try model.load(stateDict: resume.weights.stateDict, strict: true)
        } catch {
            throw RunFailure(.invalidResume, "checkpoint weights do not fit the model: \(error)")
        }
        guard resume.run.groups.names == model.groups else {
            throw RunFailure(.invalidResume, "checkpoint groups \(resume.run.groups.names) differ from the model's \(model.groups)")
        }
        state = resume.run
        jobBest = resume.jobBest
        phaseBest = resume.phaseBest
        let fresh = try OptimizerFactory.make(spec.optimizer, model: model)
        do { try fresh.load(stateDict: resume.optimizer) } catch {
            throw RunFailure(.invalidResume, "optimizer state does not fit: \(error)")
        }
        optimizer = fresh
        lastLRs = state.groups.peakLRs
    }

    // MARK: Model state

    /// Makes the model's per-layer trainability match `state.groups` (and `train_bn`), then drops the
    /// activation cache if its cut point no longer holds.
    func syncTrainability() throws {
        for (i, layer) in model.layers.enumerated() {
            let trainable: Bool
            if layer.parameters.isEmpty {
                trainable = state.groups.groups.first { $0.name == model.layerGroups[i] }?.trainable ?? false
            } else {
                trainable = state.groups.isLayerTrainable(layer.name)
            }
            if !trainable, spec.trainBN, !Model.batchNormParameters(of: layer).isEmpty {
                try model.setBatchNormOnlyTrainable(layer: layer.name)
            } else {
                try model.setTrainable(layer: layer.name, trainable)
            }
        }
        if let cache, cache.group != cachePoint(augmented: false) { self.cache = nil }
    }

    /// Copies `weights` into the model (a snapshot this runner took, so shapes always fit).
    func restore(_ weights: StateDict) throws {
        try model.load(stateDict: weights, strict: true)
        cache = nil
    }

    func weightsFile() -> [UInt8] {
        WeightsFile(model: model, normalization: normalization, classNames: data.classNames, jobID: jobID).encoded()
    }
}

/// A failure with the outcome code the daemon records.
/// Thrown from the loops between batch boundaries (evaluation, building the activation cache) once
/// the daemon is shutting down, so SIGTERM never waits for a whole pass over a large split; the run
/// ends `.interrupted` and resumes from its last epoch checkpoint.
struct RunInterrupted: Error {}

struct RunFailure: Error {
    var code: FailureCode
    var message: String
    init(_ code: FailureCode, _ message: String) {
        self.code = code
        self.message = message
    }
}
