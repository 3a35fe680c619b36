import JobAPI

/// One step of a training epoch's end, fastai's `Callback.after_epoch` with its `order`: the runner
/// calls every callback of `EpochCallbacks.standard` in increasing `order`, each with the epoch's
/// context (what the callbacks before it decided) and the run it may act on.
///
/// Callbacks hold no state of their own: what they track (the best metric, patience counts, the
/// plateau multiplier, advice codes) lives in the checkpointed `RunState`, so a resumed run continues
/// with the same decisions.
protocol EpochCallback: Sendable {
    /// Position in the epoch end: lower runs first.
    var order: Int { get }
    /// What it is called in tests and docs.
    var name: String { get }
    func afterEpoch(_ context: inout EpochEndContext, run: any EpochCallbackHost) throws
}

/// What the epoch-end callbacks may read and do: the runner implements it; the tests a recorder.
protocol EpochCallbackHost: AnyObject {
    /// The run's checkpointed state (trackers, groups, position, history).
    var state: RunState { get set }
    /// The head was freshly initialised for this job (advice).
    var headIsNew: Bool { get }
    /// Keeps a copy of the current weights as the best of the job or of the running phase.
    func snapshotBest(_ scope: EarlyStopping.Scope)
    /// Hands a checkpoint of the current weights (and, for `.epoch`, the resume state) to the daemon.
    func saveCheckpoint(_ kind: CheckpointPayload.Kind, at position: CheckpointPosition) throws
    /// The `epoch` event.
    func reportEpoch(_ context: EpochEndContext)
    /// An `advice` event.
    func reportAdvice(_ advice: Advice)
    /// Makes `groups` the run's group state (trainability re-synced) after the run itself unfroze
    /// `unfrozen`, and says so in a `control` event.
    func autoUnfreeze(to groups: GroupState, unfrozen: [String]) throws
    /// Ends the running phase (restoring its best weights when asked) and moves to the next.
    func endPhase(_ phase: PhaseSpec, reason: PhaseEvent.EndReason) throws
}

/// One epoch's end as the callbacks see it: the figures, where it stands, and the decisions made by
/// the callbacks that ran before.
struct EpochEndContext {
    var phase: PhaseSpec
    var metrics: EpochMetrics
    var validation: EvaluationResult?
    var timing: EpochTiming
    var evalSeconds: Double
    /// What this epoch's checkpoints record (taken before a phase end moves the position on).
    var position: CheckpointPosition

    /// The job's tracked metric improved (`BestCheckpointCallback`).
    var isBest = false
    /// Job early stopping ran out of patience.
    var stopJob = false
    /// The phase's own early stopping ran out of patience.
    var stopPhase = false
    /// Reduce-on-plateau lowered the LRs.
    var lrReduced = false
    /// The phase ends after this epoch (`StopDecisionCallback`).
    var phaseEnds = false
}

/// The epoch end the runner runs, in order.
enum EpochCallbacks {
    static let standard: [any EpochCallback] = [
        BestCheckpointCallback(), JobEarlyStoppingCallback(), PhaseEarlyStoppingCallback(), ReduceOnPlateauCallback(),
        EpochEventCallback(), AdviceCallback(), StopDecisionCallback(), AutoUnfreezeCallback(), PhaseEndCallback(),
        EpochCheckpointCallback(),
    ].sorted { $0.order < $1.order }
}

/// The job's tracked metric: on a new best, keeps the weights (what `restore_best` restores) and
/// writes the `.best` checkpoint.
struct BestCheckpointCallback: EpochCallback {
    var order: Int { 10 }
    var name: String { "best_checkpoint" }
    func afterEpoch(_ context: inout EpochEndContext, run: any EpochCallbackHost) throws {
        context.isBest = run.state.best.update(context.metrics)
        guard context.isBest else { return }
        run.snapshotBest(.job)
        try run.saveCheckpoint(.best, at: context.position)
    }
}

/// Job-level early stopping votes to end the job (`StopDecisionCallback` decides).
struct JobEarlyStoppingCallback: EpochCallback {
    var order: Int { 20 }
    var name: String { "job_early_stopping" }
    func afterEpoch(_ context: inout EpochEndContext, run: any EpochCallbackHost) throws {
        guard var stopping = run.state.jobStopping else { return }
        context.stopJob = stopping.afterEpoch(context.metrics).decision == .stopJob
        run.state.jobStopping = stopping
    }
}

/// A phase's own early stopping: keeps the phase's best weights, votes to end the phase.
struct PhaseEarlyStoppingCallback: EpochCallback {
    var order: Int { 30 }
    var name: String { "phase_early_stopping" }
    func afterEpoch(_ context: inout EpochEndContext, run: any EpochCallbackHost) throws {
        guard var stopping = run.state.phaseStopping else { return }
        let outcome = stopping.afterEpoch(context.metrics)
        if outcome.isNewBest { run.snapshotBest(.phase) }
        context.stopPhase = outcome.decision == .stopPhase
        run.state.phaseStopping = stopping
    }
}

/// Reduce-on-plateau: lowers the multiplier the schedule applies from the next step on.
struct ReduceOnPlateauCallback: EpochCallback {
    var order: Int { 40 }
    var name: String { "reduce_on_plateau" }
    func afterEpoch(_ context: inout EpochEndContext, run: any EpochCallbackHost) throws {
        guard var plateau = run.state.plateau else { return }
        context.lrReduced = plateau.afterEpoch(context.metrics)
        run.state.plateau = plateau
    }
}

/// The `epoch` event, with what the trackers decided (`is_best`, `lr_reduced`).
struct EpochEventCallback: EpochCallback {
    var order: Int { 50 }
    var name: String { "epoch_event" }
    func afterEpoch(_ context: inout EpochEndContext, run: any EpochCallbackHost) throws {
        run.reportEpoch(context)
    }
}

/// Advice: an event for every code that the previous epoch did not produce.
struct AdviceCallback: EpochCallback {
    var order: Int { 60 }
    var name: String { "advice" }
    func afterEpoch(_ context: inout EpochEndContext, run: any EpochCallbackHost) throws {
        let state = run.state
        let advice = AdviceRules.advise(history: state.history, groups: state.groups, headIsNew: run.headIsNew,
                                        headTrainedEpochs: state.headTrainedEpochs)
        for a in advice where !state.lastAdviceCodes.contains(a.code.rawValue) { run.reportAdvice(a) }
        run.state.lastAdviceCodes = advice.map(\.code.rawValue)
    }
}

/// Turns the votes into decisions: the job ends on a non-finite training loss or job early stopping
/// (its stop reason), and the phase ends on its own early stop, its last epoch, or the job's end.
struct StopDecisionCallback: EpochCallback {
    var order: Int { 70 }
    var name: String { "stop_decision" }
    func afterEpoch(_ context: inout EpochEndContext, run: any EpochCallbackHost) throws {
        if !context.metrics.trainLoss.isFinite {
            run.state.stopReason = .nonFiniteLoss
        } else if context.stopJob {
            run.state.stopReason = .earlyStopping
        }
        let state = run.state
        context.phaseEnds = context.stopPhase || state.phaseEpoch >= context.phase.epochs || state.stopReason != nil
    }
}

/// The opt-in `auto_unfreeze` policy, within a phase that goes on: unfreezes the next group on a plateau.
struct AutoUnfreezeCallback: EpochCallback {
    var order: Int { 80 }
    var name: String { "auto_unfreeze" }
    func afterEpoch(_ context: inout EpochEndContext, run: any EpochCallbackHost) throws {
        guard !context.phaseEnds, var policy = run.state.autoUnfreeze else { return }
        if policy.afterEpoch(context.metrics, groups: run.state.groups) != nil {
            let (next, unfrozen) = run.state.groups.unfreezingNext(1)
            try run.autoUnfreeze(to: next, unfrozen: unfrozen)
        }
        run.state.autoUnfreeze = policy
    }
}

/// The phase end, when decided: why it ended (the job's stop reason, its own early stop, or its
/// planned epochs).
struct PhaseEndCallback: EpochCallback {
    var order: Int { 90 }
    var name: String { "phase_end" }
    func afterEpoch(_ context: inout EpochEndContext, run: any EpochCallbackHost) throws {
        guard context.phaseEnds else { return }
        try run.endPhase(context.phase, reason: run.state.stopReason.map(PhaseEvent.EndReason.init) ?? (context.stopPhase ? .earlyStopping : .completed))
    }
}

/// The `.epoch` checkpoint, last: it holds the position the next epoch (or phase) starts at.
struct EpochCheckpointCallback: EpochCallback {
    var order: Int { 100 }
    var name: String { "epoch_checkpoint" }
    func afterEpoch(_ context: inout EpochEndContext, run: any EpochCallbackHost) throws {
        try run.saveCheckpoint(.epoch, at: context.position)
    }
}
