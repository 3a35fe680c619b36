import Data
import JobAPI
import NN

/// The runner's side of the phase loop (`PhaseLoop`): what a phase start, resume and end do to the
/// model, the optimizer, the best weights and the cache, and the job's best-weights restore.
extension JobRunner: PhaseDriver {
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

    /// A phase the checkpoint left running: the model's trainability from the restored groups.
    func resumePhase(_ phase: PhaseSpec) throws {
        try syncTrainability()
        emitPhase(.resumed, phase)
    }

    func gradualUnfreeze(to groups: GroupState, unfrozen: [String]) throws {
        state.groups = groups
        try syncTrainability()
        emitGroupChange(action: .gradualUnfreeze, groups: unfrozen)
    }

    /// Ends the running phase after its last epoch or its own early stop: restores its best weights
    /// when asked, and moves the position to the next phase (not started).
    func endPhase(_ phase: PhaseSpec, reason: PhaseEvent.EndReason) throws {
        if phase.earlyStopping?.restoreBest == true, let phaseBest = best.phase { try restore(phaseBest) }
        emitPhase(.ended, phase, reason: reason, restoredBest: phase.earlyStopping?.restoreBest == true && best.phase != nil)
        state.endPhase()
        best.phase = nil
    }

    func restoreJobBest() throws -> Bool {
        guard let jobBest = best.job else { return false }
        try restore(jobBest)
        return true
    }

    func evaluateTest(_ images: LabeledImages, views: TestTimeAugmentation?) throws -> EvaluationResult {
        if let views { return try evaluator.evaluateTTA(images, views) }
        return try evaluator.evaluate(images, cached: nil)
    }
}
