import JobAPI

/// The run's position as a state machine: how a phase start, an epoch and a phase end move it. Pure
/// transitions on the checkpointed value; the runner adds the side effects (optimizer, cache,
/// trainability, events, checkpoints).
extension RunState {
    /// A phase start: the group state by the unfreeze rule, fresh phase trackers (job early stopping
    /// restarts its patience but keeps its best, auto-unfreeze judges a plateau within the phase,
    /// reduce-on-plateau only runs under its own schedule), the schedule at step 0.
    mutating func startPhase(_ phase: PhaseSpec) {
        groups = groups.startingPhase(phase)
        phaseStopping = phase.earlyStopping.map { EarlyStopping(spec: $0, scope: .phase) }
        jobStopping?.startPhase()
        autoUnfreeze?.startPhase()
        if case .reduceOnPlateau(let s) = phase.schedule { plateau = ReduceOnPlateau(spec: s) } else { plateau = nil }
        phaseStep = 0
        phaseEpoch = 0
        phaseStarted = true
    }

    /// An epoch's record, before its end's callbacks: appended to the history, the job and phase
    /// epoch counts moved on; returns the epoch's metrics (`epoch` is its 0-based job index).
    mutating func recordEpoch(trainLoss: Double, validation: EvaluationResult?, headTrained: Bool) -> EpochMetrics {
        let metrics = EpochMetrics(epoch: globalEpoch, phase: phaseIndex, trainLoss: trainLoss,
                                   valLoss: validation?.loss, valAccuracy: validation?.accuracy)
        history.append(metrics)
        globalEpoch += 1
        phaseEpoch += 1
        if headTrained { headTrainedEpochs += 1 }
        return metrics
    }

    /// A phase end: the position moves to the next phase, not started.
    mutating func endPhase() {
        phaseIndex += 1
        phaseEpoch = 0
        phaseStep = 0
        phaseStarted = false
    }
}
