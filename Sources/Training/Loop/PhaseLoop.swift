import Data
import JobAPI
import NN

/// What the phase loop asks of the run: its checkpointed state (the position the loop moves), the
/// side effects of a phase start, resume and group change, one epoch, the evaluator and the events of
/// the job's end. The runner implements it; the loop reaches nothing else of the run.
protocol PhaseDriver: AnyObject {
    /// The run's checkpointed state (position, groups, trackers, stop reason, history).
    var state: RunState { get set }
    /// A phase start (`RunState.startPhase` plus a fresh optimizer, trainability, the `phase` event).
    func startPhase(_ phase: PhaseSpec) throws
    /// A phase resumed from a checkpoint: trainability re-synced, the `phase` event.
    func resumePhase(_ phase: PhaseSpec) throws
    /// Makes `groups` the run's group state after the phase's gradual unfreezing unfroze `unfrozen`.
    func gradualUnfreeze(to groups: GroupState, unfrozen: [String]) throws
    /// One epoch and its end (whose callbacks end the phase when they decide so).
    func runEpoch(_ phase: PhaseSpec) throws -> EpochEnd
    /// Restores the job's best weights if a best was kept; whether it did.
    func restoreJobBest() throws -> Bool
    /// An inference pass over the test split, plain or under test-time augmentation.
    func evaluateTest(_ images: LabeledImages, views: TestTimeAugmentation?) throws -> EvaluationResult
    func weightsFile() -> [UInt8]
    func emitStatus(_ status: RunEvent.Status, reason: StopReason?)
    func emitTest(_ report: FinalReport)
}

/// The phase loop: phases in order, each started by the unfreeze rule (or resumed where the
/// checkpoint left it), run epoch by epoch under its gradual unfreezing, and ended by its last epoch
/// or an early stop (the epoch end's `PhaseEndCallback`); then the job's end (best weights, the test
/// split, the report). It owns only what the job's spec says of phases and the end; the position it
/// moves is the driver's `state`.
struct PhaseLoop {
    let phases: [PhaseSpec]
    /// The run continues from a checkpoint (`resumed` rather than `started`).
    let resumed: Bool
    /// `early_stopping.restore_best` (default true): the job ends on its best weights.
    let restoreBest: Bool
    let test: LabeledImages?
    let testTimeAugmentation: TestTimeAugmentation?

    /// Phases in order, epochs within each, until the job ends, stops, is cancelled or interrupted.
    func run(_ driver: any PhaseDriver) throws -> JobRunOutcome {
        if driver.state.stopReason == nil { driver.emitStatus(resumed ? .resumed : .started, reason: nil) }
        while driver.state.stopReason == nil, driver.state.phaseIndex < phases.count {
            let phase = phases[driver.state.phaseIndex]
            if !driver.state.phaseStarted {
                try driver.startPhase(phase)
            } else {
                try driver.resumePhase(phase)
            }
            while driver.state.phaseStarted, driver.state.stopReason == nil {
                if let gradual = phase.gradualUnfreeze {
                    let (next, unfrozen) = driver.state.groups.applyingGradualUnfreeze(gradual, atPhaseEpoch: driver.state.phaseEpoch)
                    if !unfrozen.isEmpty { try driver.gradualUnfreeze(to: next, unfrozen: unfrozen) }
                }
                switch try driver.runEpoch(phase) {
                case .completed: continue
                case .stop:
                    driver.state.stopReason = .userStop
                case .cancel:
                    driver.emitStatus(.cancelled, reason: nil)
                    return .cancelled
                case .interrupt:
                    driver.emitStatus(.interrupted, reason: nil)
                    return .interrupted
                }
            }
        }
        return try finish(driver)
    }

    /// The job's end: restore the best weights (unless `restore_best` is false), evaluate on the test
    /// split, emit `test`, and report.
    func finish(_ driver: any PhaseDriver) throws -> JobRunOutcome {
        let restored = restoreBest ? try driver.restoreJobBest() : false
        var testResult: EvaluationResult?, tta: EvaluationResult?
        if let images = test, images.count > 0 {
            testResult = try driver.evaluateTest(images, views: nil)
            if let views = testTimeAugmentation, views.views.count > 1 { tta = try driver.evaluateTest(images, views: views) }
        }
        let state = driver.state
        let report = FinalReport(epochs: state.globalEpoch, stopReason: state.stopReason, bestMetric: state.best.monitor.rawValue,
                                 bestValue: state.best.best, bestEpoch: state.best.bestEpoch.map { $0 + 1 },
                                 restoredBest: restored, history: state.history, test: testResult, testTTA: tta,
                                 weights: driver.weightsFile(), lrFind: nil)
        driver.emitTest(report)
        driver.emitStatus(state.stopReason == nil ? .succeeded : .stopped, reason: state.stopReason)
        return state.stopReason == nil ? .succeeded(report) : .stopped(report)
    }
}
