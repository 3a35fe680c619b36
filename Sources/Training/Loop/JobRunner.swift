import Data
import JobAPI
import NN
import Tensor

/// Runs one job (a `JobSpec` on a model and data) from start or from a resume point to an outcome,
/// reporting through a `JobRunObserver`. Library code: no HTTP, no SQL, no files, no process-wide
/// settings (the engine's thread count is the input's, bound for `run()` only).
///
/// One runner per run, used from one thread: `run()` blocks until the job ends, pauses included.
/// The runner is put together from a few parts, each with its own state; the runner owns only what
/// they share (the model, the optimizer, the checkpointed `RunState`, the best weights, the observer):
/// - the phase loop (`PhaseLoop`): phases in order, their starts (by the unfreeze rule) and ends,
///   the job's end and the final test; it moves the position through `PhaseDriver` only;
/// - the epoch loop (`EpochLoop`): batch geometry, the activation cache, one epoch's batches, each
///   a batch boundary and an optimizer step asked of the run through `EpochDriver`;
/// - the epoch end as an ordered list of callbacks (`EpochCallbacks.standard`: best checkpoint, job
///   and phase early stopping, reduce-on-plateau, the `epoch` event, advice, the stop decision,
///   auto-unfreeze, the phase end, the epoch checkpoint), which act on the run through
///   `EpochCallbackHost` only;
/// - the control applier (`ControlApplier`): what a command does, applied at batch boundaries;
/// - the evaluator (`Evaluator`): inference passes over a split.
///
/// Determinism: with the same seed and engine threads, a run's metrics are a pure function of the
/// spec, the initial weights and the data; a run resumed from its epoch-k checkpoint continues
/// exactly as the uninterrupted run (shuffles are `(seed, job epoch)` functions, the schedule is a
/// function of the step, optimizer and tracker state are checkpointed).
public final class JobRunner {
    let jobID: String
    let spec: JobSpec
    let model: Model
    let data: SelectedData
    let normalization: Normalization
    let observer: JobRunObserver
    let headIsNew: Bool
    let engine: Engine
    let resume: ResumeState?
    /// The views `evaluate` jobs with `tta` average (the final test's of train jobs is `phases`').
    let testTimeAugmentation: TestTimeAugmentation?
    /// The epoch end, in order.
    let callbacks: [any EpochCallback]

    /// Evaluation batch size: inference keeps no activations for backward, so it can be larger.
    let evaluationBatchSize: Int
    /// The phase loop: phases in order, the job's end.
    let phases: PhaseLoop
    /// The epoch loop: batch geometry and the activation cache.
    let epochs: EpochLoop

    // The run's mutable state, by owner.
    /// Position, group state and trackers: what an epoch checkpoint holds.
    var state: RunState
    /// Best weights of the job / of the running phase (checkpointed with `state`).
    var best = BestWeights()
    /// The pause flag and what commands do.
    var control = ControlApplier()
    /// The optimizer (rebuilt at phase starts unless kept) and the LR of each group at the last step
    /// (what `epoch` and `control` events report).
    var optimizer: (any Optimizer)?
    var lastLRs: [Double]

    var paused: Bool { control.paused }

    public init(input: JobRunInput, observer: JobRunObserver) {
        jobID = input.jobID
        spec = input.spec
        model = input.model
        data = input.data
        normalization = input.normalization
        self.observer = observer
        headIsNew = input.headIsNew
        engine = input.engine
        resume = input.resume
        testTimeAugmentation = input.testTimeAugmentation
        callbacks = EpochCallbacks.standard
        evaluationBatchSize = max(input.spec.batchSize, 256)
        phases = PhaseLoop(phases: input.spec.phases, resumed: input.resume != nil,
                           restoreBest: input.spec.earlyStopping?.restoreBest ?? true, test: input.data.test,
                           testTimeAugmentation: input.testTimeAugmentation)
        epochs = EpochLoop(model: input.model, data: input.data, normalization: input.normalization,
                           batchSize: input.spec.batchSize, trainBN: input.spec.trainBN,
                           evaluationBatchSize: evaluationBatchSize, cacheLimitBytes: input.cacheLimitBytes)
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

    /// Runs the job to its end, a stop, a cancel, an interruption or a failure, on the input's engine.
    public func run() -> JobRunOutcome {
        engine.run(runOnEngine)
    }

    private func runOnEngine() -> JobRunOutcome {
        do {
            try prepare()
            switch spec.kind {
            case .train: return try phases.run(self)
            case .lrFind: return try runLRFind()
            case .evaluate: return try runEvaluate()
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
            // An evaluation needs only the split it evaluates (`runEvaluate` checks that one).
            guard spec.kind == .evaluate || data.train.count > 0 else { throw RunFailure(.invalidData, "the training split is empty") }
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
        best = BestWeights(job: resume.jobBest, phase: resume.phaseBest)
        let fresh = try OptimizerFactory.make(spec.optimizer, model: model)
        do { try fresh.load(stateDict: resume.optimizer) } catch {
            throw RunFailure(.invalidResume, "optimizer state does not fit: \(error)")
        }
        optimizer = fresh
        lastLRs = state.groups.peakLRs
    }

    // MARK: Control

    /// How long a paused run sleeps between polls of `takeCommands` and `shouldInterrupt`.
    static let pausePoll: useconds_t = 50_000

    /// A batch boundary: notices interruption, applies every pending command in order, and blocks
    /// while paused. `.completed` means "go on with the batch".
    func boundary() throws -> EpochEnd {
        if observer.shouldInterrupt { return .interrupt }
        for pending in observer.takeCommands() {
            let action = try apply(pending)
            if case .completed = action {} else { return action }
        }
        while paused {
            usleep(Self.pausePoll)
            if observer.shouldInterrupt { return .interrupt }
            for pending in observer.takeCommands() {
                let action = try apply(pending)
                if case .completed = action {} else { return action }
            }
        }
        return .completed
    }

    /// Applies one command (`ControlApplier`) and acknowledges it with a `control` event carrying the
    /// effective state afterwards; a command that cannot apply changes nothing and is acknowledged
    /// with its problems.
    func apply(_ pending: PendingCommand) throws -> EpochEnd {
        let applied = control.apply(pending.command, to: state.groups)
        if let groups = applied.groups {
            state.groups = groups
            try syncTrainability()
            applySchedule()
        }
        emitControl(pending, problems: applied.problems)
        switch applied.decision {
        case .proceed: return .completed
        case .stop: return .stop
        case .cancel: return .cancel
        }
    }

    /// Between batch boundaries: ends the run (`RunInterrupted`) once the daemon shuts down.
    func checkInterrupt() throws {
        if observer.shouldInterrupt { throw RunInterrupted() }
    }

    var evaluator: Evaluator {
        Evaluator(model: model, normalization: normalization, batchSize: evaluationBatchSize, checkInterrupt: checkInterrupt)
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
        epochs.dropCacheIfCutMoved()
    }

    /// Copies `weights` into the model (a snapshot this runner took, so shapes always fit).
    func restore(_ weights: StateDict) throws {
        try model.load(stateDict: weights, strict: true)
        epochs.dropCache()
    }

    func weightsFile() -> [UInt8] {
        WeightsFile(model: model, normalization: normalization, classNames: data.classNames, jobID: jobID).encoded()
    }
}

/// Thrown from the loops between batch boundaries (evaluation, building the activation cache) once
/// the daemon is shutting down, so SIGTERM never waits for a whole pass over a large split; the run
/// ends `.interrupted` and resumes from its last epoch checkpoint.
struct RunInterrupted: Error {}

/// A failure with the outcome code the daemon records.
struct RunFailure: Error {
    var code: FailureCode
    var message: String
    init(_ code: FailureCode, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// Weights a run keeps in memory to restore later: the job's best (restored at the end unless
/// `restore_best` is false) and the running phase's (phase early stopping only).
struct BestWeights {
    var job: StateDict?
    var phase: StateDict?
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
