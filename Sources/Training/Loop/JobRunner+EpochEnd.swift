import Data
import JobAPI
import NN
import Tensor

/// The runner's side of an epoch: the epoch loop's driver (batch boundaries, optimizer steps under the
/// schedule), then the epoch end as the ordered callbacks.
extension JobRunner: EpochDriver {
    /// One training epoch (`EpochLoop`) at the run's position, then the epoch end (`finishEpoch`).
    func runEpoch(_ phase: PhaseSpec) throws -> EpochEnd {
        let headTrained = state.groups.groups.last?.trainable ?? false
        switch try epochs.run(phase, seed: state.seed, globalEpoch: state.globalEpoch, driver: self) {
        case let .ended(end):
            return end
        case let .trained(trainLoss, timing):
            try finishEpoch(phase, trainLoss: trainLoss, headTrained: headTrained, timing: timing)
            return .completed
        }
    }

    /// One optimizer step on a batch (images, or cached activations entering `group`).
    func step(_ x: Tensor, labels: [Int], from layer: Int?) throws -> Double {
        applySchedule()
        let logits = if let layer { try model.forward(fromLayer: layer, x, training: true) } else { try model.forward(x, training: true) }
        let (loss, dLogits) = try SoftmaxCrossEntropy.compute(logits: logits, labels: labels)
        if model.lowestTrainableLayer != nil {
            try model.backward(dLogits)
            optimizer?.step()
        }
        state.phaseStep += 1
        state.globalStep += 1
        return Double(loss)
    }

    /// After an epoch's last batch: validation, the epoch's record, then every callback in order
    /// (`EpochCallbacks.standard`), the last of which writes the epoch checkpoint, so it holds the
    /// position the next epoch starts at.
    func finishEpoch(_ phase: PhaseSpec, trainLoss: Double, headTrained: Bool, timing: EpochTiming) throws {
        let evalStarted = ContinuousClock.now
        let validation = data.validation.count > 0 ? try evaluator.evaluate(data.validation, cached: epochs.cache) : nil
        let evalSeconds = seconds(since: evalStarted)
        let metrics = state.recordEpoch(trainLoss: trainLoss, validation: validation, headTrained: headTrained)
        let position = CheckpointPosition(phaseIndex: state.phaseIndex, phaseName: phase.name, epoch: state.phaseEpoch,
                                          globalEpoch: state.globalEpoch, metrics: metrics)
        var context = EpochEndContext(phase: phase, metrics: metrics, validation: validation, timing: timing,
                                      evalSeconds: evalSeconds, position: position)
        for callback in callbacks { try callback.afterEpoch(&context, run: self) }
    }

    /// Sets every optimizer group's LR (peak × schedule factor × plateau multiplier) and momentum for
    /// the step about to run.
    func applySchedule() {
        guard state.phaseStarted, state.phaseIndex < spec.phases.count, let optimizer else { return }
        let phase = spec.phases[state.phaseIndex]
        let position = SchedulePosition(step: state.phaseStep, stepsPerEpoch: epochs.stepsPerEpoch, epochs: phase.epochs)
        var minLR = 0.0
        if case .reduceOnPlateau(let s) = phase.schedule { minLR = s.minLR }
        let lrs = phase.schedule.learningRates(peaks: state.groups.peakLRs, at: position,
                                               plateauMultiplier: state.plateau?.multiplier ?? 1, minLR: minLR)
        let momentum = phase.schedule.value(at: position).momentum ?? OptimizerFactory.baseMomentum(spec.optimizer)
        for (group, lr) in zip(optimizer.groups, lrs) {
            group.learningRate = Float(lr)
            group.beta1 = Float(momentum)
        }
        lastLRs = lrs
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
    /// The measured values under their `epoch` event names (a checkpoint's and a `best` event's metrics).
    var dictionary: [String: Double] {
        typealias Key = EpochEvent.CodingKeys
        var d = [Key.trainLoss.stringValue: trainLoss]
        if let valLoss { d[Key.valLoss.stringValue] = valLoss }
        if let valAccuracy { d[Key.valAccuracy.stringValue] = valAccuracy }
        return d
    }
}

/// What the epoch-end callbacks do to the run.
extension JobRunner: EpochCallbackHost {
    func snapshotBest(_ scope: EarlyStopping.Scope) {
        switch scope {
        case .job: best.job = model.stateDict()
        case .phase: best.phase = model.stateDict()
        }
    }

    /// Hands a checkpoint of the current weights (and, for `.epoch`, the resume state) to the observer.
    func saveCheckpoint(_ kind: CheckpointPayload.Kind, at position: CheckpointPosition) throws {
        let state = kind == .epoch
            ? ResumeState.encodeState(run: self.state, optimizer: optimizer?.stateDict() ?? StateDict(), jobBest: best.job, phaseBest: best.phase)
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

    func reportEpoch(_ context: EpochEndContext) {
        emitEpoch(context.phase, metrics: context.metrics, validation: context.validation, timing: context.timing,
                  evalSeconds: context.evalSeconds, isBest: context.isBest, lrReduced: context.lrReduced)
    }

    func reportAdvice(_ advice: Advice) { emitAdvice(advice) }

    func autoUnfreeze(to groups: GroupState, unfrozen: [String]) throws {
        state.groups = groups
        try syncTrainability()
        emitGroupChange(action: .autoUnfreeze, groups: unfrozen)
    }
}
