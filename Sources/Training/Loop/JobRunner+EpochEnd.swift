import JobAPI
import NN

extension JobRunner {
    /// After an epoch's last batch: validation, trackers (best checkpoint, job and phase early stopping,
    /// reduce-on-plateau, auto-unfreeze), advice, the `epoch` event, the phase end when due, and the
    /// epoch checkpoint — in that order, so the checkpoint holds the position the next epoch starts at.
    func finishEpoch(_ phase: PhaseSpec, trainLoss: Double, headTrained: Bool, timing: EpochTiming) throws {
        let evalStarted = ContinuousClock.now
        let validation = data.validation.count > 0 ? try evaluate(data.validation, cached: cache) : nil
        let evalSeconds = seconds(since: evalStarted)
        let metrics = EpochMetrics(epoch: state.globalEpoch, phase: state.phaseIndex, trainLoss: trainLoss,
                                   valLoss: validation?.loss, valAccuracy: validation?.accuracy)
        state.history.append(metrics)
        state.globalEpoch += 1
        state.phaseEpoch += 1
        if headTrained { state.headTrainedEpochs += 1 }
        let position = CheckpointPosition(phaseIndex: state.phaseIndex, phaseName: phase.name, epoch: state.phaseEpoch,
                                          globalEpoch: state.globalEpoch, metrics: metrics)

        let isBest = state.best.update(metrics)
        if isBest {
            jobBest = model.stateDict()
            try save(.best, position)
        }
        var stopJob = false
        if var stopping = state.jobStopping {
            stopJob = stopping.afterEpoch(metrics).decision == .stopJob
            state.jobStopping = stopping
        }
        var stopPhase = false
        if var stopping = state.phaseStopping {
            let outcome = stopping.afterEpoch(metrics)
            if outcome.isNewBest { phaseBest = model.stateDict() }
            stopPhase = outcome.decision == .stopPhase
            state.phaseStopping = stopping
        }
        var lrReduced = false
        if var plateau = state.plateau {
            lrReduced = plateau.afterEpoch(metrics)
            state.plateau = plateau
        }
        emitEpoch(phase, metrics: metrics, validation: validation, timing: timing, evalSeconds: evalSeconds,
                  isBest: isBest, lrReduced: lrReduced)

        let advice = AdviceRules.advise(history: state.history, groups: state.groups, headIsNew: headIsNew,
                                        headTrainedEpochs: state.headTrainedEpochs)
        for a in advice where !state.lastAdviceCodes.contains(a.code.rawValue) { emitAdvice(a) }
        state.lastAdviceCodes = advice.map(\.code.rawValue)

        if !trainLoss.isFinite {
            state.stopReason = .nonFiniteLoss
        } else if stopJob {
            state.stopReason = .earlyStopping
        }
        let phaseEnds = stopPhase || state.phaseEpoch >= phase.epochs || state.stopReason != nil
        if !phaseEnds, var policy = state.autoUnfreeze {
            if policy.afterEpoch(metrics, groups: state.groups) != nil {
                let (next, unfrozen) = state.groups.unfreezingNext(1)
                state.groups = next
                try syncTrainability()
                emitGroupChange(action: .autoUnfreeze, groups: unfrozen)
            }
            state.autoUnfreeze = policy
        }
        if phaseEnds {
            try endPhase(phase, reason: state.stopReason.map(PhaseEvent.EndReason.init) ?? (stopPhase ? .earlyStopping : .completed))
        }
        try save(.epoch, position)
    }

    /// Hands a checkpoint of the current weights (and, for `.epoch`, the resume state) to the observer.
    func save(_ kind: CheckpointPayload.Kind, _ position: CheckpointPosition) throws {
        let state = kind == .epoch
            ? ResumeState.encodeState(run: self.state, optimizer: optimizer?.stateDict() ?? StateDict(), jobBest: jobBest, phaseBest: phaseBest)
            : nil
        let payload = CheckpointPayload(kind: kind, phaseIndex: position.phaseIndex, phaseName: position.phaseName,
                                        epoch: position.epoch, globalEpoch: position.globalEpoch,
                                        metrics: position.metrics.dictionary, weights: weightsFile(), state: state)
        do {
            try observer.saveCheckpoint(payload)
        } catch {
            throw RunFailure(.checkpointFailed, "saving the \(kind.rawValue) checkpoint of epoch \(position.globalEpoch) failed: \(error)")
        }
        emitCheckpoint(payload)
    }
}

/// Which epoch a checkpoint belongs to (captured before a phase end moves the position on).
struct CheckpointPosition {
    var phaseIndex: Int
    var phaseName: String
    /// 1-based within the phase / over the job.
    var epoch: Int
    var globalEpoch: Int
    var metrics: EpochMetrics
}

extension EpochMetrics {
    /// The measured values under their event names.
    var dictionary: [String: Double] {
        var d = ["train_loss": trainLoss]
        if let valLoss { d["val_loss"] = valLoss }
        if let valAccuracy { d["val_accuracy"] = valAccuracy }
        return d
    }
}
