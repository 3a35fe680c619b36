import Data
import JobAPI
import NN

extension JobRunner {
    /// The phase loop: phases in order, epochs within each, until the job ends or stops.
    func runPhases() throws -> JobRunOutcome {
        if state.stopReason == nil { emitStatus(resume == nil ? .started : .resumed) }
        while state.stopReason == nil, state.phaseIndex < spec.phases.count {
            let phase = spec.phases[state.phaseIndex]
            if !state.phaseStarted {
                try startPhase(phase)
            } else {
                try syncTrainability()
                emitPhase(.resumed, phase)
            }
            while state.phaseStarted, state.stopReason == nil {
                if let gradual = phase.gradualUnfreeze {
                    let (next, unfrozen) = state.groups.applyingGradualUnfreeze(gradual, atPhaseEpoch: state.phaseEpoch)
                    if !unfrozen.isEmpty {
                        state.groups = next
                        try syncTrainability()
                        emitGroupChange(action: .gradualUnfreeze, groups: unfrozen)
                    }
                }
                switch try runEpoch(phase) {
                case .completed: continue
                case .stop:
                    state.stopReason = .userStop
                case .cancel:
                    emitStatus(.cancelled)
                    return .cancelled
                case .interrupt:
                    emitStatus(.interrupted)
                    return .interrupted
                }
            }
        }
        return try finish()
    }

    /// A phase start: the group state by the unfreeze rule, fresh phase trackers, the optimizer reset
    /// unless the phase keeps it, the schedule at step 0.
    func startPhase(_ phase: PhaseSpec) throws {
        state.groups = state.groups.startingPhase(phase)
        state.phaseStopping = phase.earlyStopping.map { EarlyStopping(spec: $0, scope: .phase) }
        state.jobStopping?.startPhase()
        state.autoUnfreeze?.startPhase()
        if case .reduceOnPlateau(let s) = phase.schedule { state.plateau = ReduceOnPlateau(spec: s) } else { state.plateau = nil }
        state.phaseStep = 0
        state.phaseEpoch = 0
        state.phaseStarted = true
        phaseBest = nil
        cache = nil
        if phase.resetOptimizer || optimizer == nil { optimizer = try OptimizerFactory.make(spec.optimizer, model: model) }
        try syncTrainability()
        emitPhase(.started, phase)
    }

    /// Ends the running phase after its last epoch or its own early stop: restores its best weights
    /// when asked, and moves the position to the next phase (not started).
    func endPhase(_ phase: PhaseSpec, reason: PhaseEvent.EndReason) throws {
        if phase.earlyStopping?.restoreBest == true, let best = phaseBest { try restore(best) }
        emitPhase(.ended, phase, reason: reason, restoredBest: phase.earlyStopping?.restoreBest == true && phaseBest != nil)
        state.phaseIndex += 1
        state.phaseEpoch = 0
        state.phaseStep = 0
        state.phaseStarted = false
        phaseBest = nil
    }

    /// The job's end: restore the best weights (unless `restore_best` is false), evaluate on the test
    /// split, emit `test`, and report.
    func finish() throws -> JobRunOutcome {
        let restore = spec.earlyStopping?.restoreBest ?? true
        var restored = false
        if restore, let best = jobBest {
            try self.restore(best)
            restored = true
        }
        var test: EvaluationResult?, tta: EvaluationResult?
        if let images = data.test, images.count > 0 {
            test = try evaluate(images, cached: nil)
            if let views = testTimeAugmentation, views.views.count > 1 { tta = try evaluateTTA(images, views) }
        }
        let report = FinalReport(epochs: state.globalEpoch, stopReason: state.stopReason, bestMetric: state.best.monitor.rawValue,
                                 bestValue: state.best.best, bestEpoch: state.best.bestEpoch.map { $0 + 1 },
                                 restoredBest: restored, history: state.history, test: test, testTTA: tta,
                                 weights: weightsFile(), lrFind: nil)
        emitTest(report)
        emitStatus(state.stopReason == nil ? .succeeded : .stopped, reason: state.stopReason)
        return state.stopReason == nil ? .succeeded(report) : .stopped(report)
    }

    /// Where the trainable set may be cut and its prefix cached: the first group with a trainable
    /// layer, when it is not the first group, every earlier layer is frozen, BatchNorm policy is the
    /// default and the images are not augmented. Nil otherwise.
    func cachePoint(augmented: Bool) -> String? {
        guard !spec.trainBN, !augmented, let lowest = model.lowestTrainableLayer else { return nil }
        let group = model.layerGroups[lowest]
        guard let start = try? model.firstLayer(of: group), start > 0 else { return nil }
        for i in 0..<start where (try? model.isTrainable(layer: model.layers[i].name)) != false { return nil }
        return group
    }

    /// Builds the activation cache at an epoch start when the phase allows it and it fits the budget.
    func refreshCache(_ phase: PhaseSpec) throws -> Double {
        guard let group = cachePoint(augmented: phase.augment != nil) else {
            cache = nil
            return 0
        }
        if cache?.group == group { return 0 }
        let images = data.train.count + data.validation.count
        guard ActivationCache.bytes(model: model, group: group, images: images) <= cacheLimitBytes else {
            cache = nil
            return 0
        }
        let started = ContinuousClock.now
        cache = try ActivationCache.build(model: model, group: group, train: data.train, validation: data.validation,
                                          normalization: normalization, batchSize: evaluationBatchSize,
                                          checkInterrupt: checkInterrupt)
        return seconds(since: started)
    }

    /// Data's augmentation for a phase's `augment` (the spec only accepts rotate 0).
    func augmentation(_ phase: PhaseSpec) -> Augmentation? {
        phase.augment.map { spec in
            Augmentation(horizontalFlip: spec.hflip, translate: spec.shift,
                         randomResizedCrop: spec.randomResizedCrop.map { RandomResizedCrop(scale: $0.scale, ratio: $0.ratio) },
                         colorJitter: spec.colorJitter.map {
                             ColorJitter(brightness: $0.brightness, contrast: $0.contrast, saturation: $0.saturation)
                         })
        }
    }
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = start.duration(to: .now)
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}
