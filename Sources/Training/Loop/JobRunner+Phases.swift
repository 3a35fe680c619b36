import Data
import JobAPI
import NN

/// The phase loop: phases in order, each started by the unfreeze rule, run epoch by epoch, and
/// ended by its last epoch or an early stop; then the job's end (best weights, the test split).
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

    /// A phase start: the run state's (`RunState.startPhase`: groups by the unfreeze rule, fresh phase
    /// trackers, the schedule at step 0), then a fresh optimizer unless the phase keeps it.
    func startPhase(_ phase: PhaseSpec) throws {
        state.startPhase(phase)
        best.phase = nil
        epochs.dropCache()
        if phase.resetOptimizer || optimizer == nil { optimizer = try OptimizerFactory.make(spec.optimizer, model: model) }
        try syncTrainability()
        emitPhase(.started, phase)
    }

    /// Ends the running phase after its last epoch or its own early stop: restores its best weights
    /// when asked, and moves the position to the next phase (not started).
    func endPhase(_ phase: PhaseSpec, reason: PhaseEvent.EndReason) throws {
        if phase.earlyStopping?.restoreBest == true, let phaseBest = best.phase { try restore(phaseBest) }
        emitPhase(.ended, phase, reason: reason, restoredBest: phase.earlyStopping?.restoreBest == true && best.phase != nil)
        state.endPhase()
        best.phase = nil
    }

    /// The job's end: restore the best weights (unless `restore_best` is false), evaluate on the test
    /// split, emit `test`, and report.
    func finish() throws -> JobRunOutcome {
        let restore = spec.earlyStopping?.restoreBest ?? true
        var restored = false
        if restore, let jobBest = best.job {
            try self.restore(jobBest)
            restored = true
        }
        var test: EvaluationResult?, tta: EvaluationResult?
        if let images = data.test, images.count > 0 {
            test = try evaluator.evaluate(images, cached: nil)
            if let views = testTimeAugmentation, views.views.count > 1 { tta = try evaluator.evaluateTTA(images, views) }
        }
        let report = FinalReport(epochs: state.globalEpoch, stopReason: state.stopReason, bestMetric: state.best.monitor.rawValue,
                                 bestValue: state.best.best, bestEpoch: state.best.bestEpoch.map { $0 + 1 },
                                 restoredBest: restored, history: state.history, test: test, testTTA: tta,
                                 weights: weightsFile(), lrFind: nil)
        emitTest(report)
        emitStatus(state.stopReason == nil ? .succeeded : .stopped, reason: state.stopReason)
        return state.stopReason == nil ? .succeeded(report) : .stopped(report)
    }
}
