import Data
import JobAPI
import Testing
@testable import Training

/// Records what the phase loop asks of the run, in order: the loop in isolation, without a model or
/// data. Its epochs end the phase the way the epoch end's callbacks do (after the phase's epochs),
/// and can end a batch boundary early at a chosen job epoch.
private final class RecordingDriver: PhaseDriver {
    var state: RunState
    var calls: [String] = []
    /// The boundary outcome of the epoch at this job epoch (0-based), if not `.completed`.
    var endAt: (epoch: Int, end: EpochEnd)?

    init(state: RunState) { self.state = state }

    func startPhase(_ phase: PhaseSpec) throws {
        state.startPhase(phase)
        calls.append("start \(phase.name)")
    }
    func resumePhase(_ phase: PhaseSpec) throws { calls.append("resume \(phase.name)") }
    func gradualUnfreeze(to groups: GroupState, unfrozen: [String]) throws {
        state.groups = groups
        calls.append("unfreeze \(unfrozen.joined(separator: ","))")
    }
    func runEpoch(_ phase: PhaseSpec) throws -> EpochEnd {
        if let endAt, endAt.epoch == state.globalEpoch {
            calls.append("boundary")
            return endAt.end
        }
        _ = state.recordEpoch(trainLoss: 1, validation: nil, headTrained: true)
        calls.append("epoch \(state.globalEpoch)")
        if state.phaseEpoch >= phase.epochs {
            state.endPhase()
            calls.append("end \(phase.name)")
        }
        return .completed
    }
    func restoreJobBest() throws -> Bool {
        calls.append("restore_best")
        return false
    }
    func evaluateTest(_ images: LabeledImages, views: TestTimeAugmentation?) throws -> EvaluationResult {
        Issue.record("no test split was given")
        throw RunInterrupted()
    }
    func weightsFile() -> [UInt8] { [] }
    func emitStatus(_ status: RunEvent.Status, reason: StopReason?) {
        calls.append("status \(status.rawValue)" + (reason.map { " \($0.rawValue)" } ?? ""))
    }
    func emitTest(_ report: FinalReport) { calls.append("test \(report.epochs)") }
}

private let groups = GroupState(groups: [("body", ["conv"]), ("head", ["fc"])])
private let phases = [
    PhaseSpec(name: "head", trainable: .groups(["head"]), epochs: 2),
    PhaseSpec(name: "all", trainable: .groups(["body", "head"]), epochs: 1),
]

private func loop(resumed: Bool = false, restoreBest: Bool = true) -> PhaseLoop {
    PhaseLoop(phases: phases, resumed: resumed, restoreBest: restoreBest, test: nil, testTimeAugmentation: nil)
}

@Suite struct PhaseLoopTests {
    @Test func phasesRunInOrderThenTheJobEnds() throws {
        let driver = RecordingDriver(state: RunState(jobID: "j", groups: groups, best: Tracker(monitor: .trainLoss), seed: 1))
        let outcome = try loop().run(driver)
        #expect(driver.calls == ["status started", "start head", "epoch 1", "epoch 2", "end head",
                                 "start all", "epoch 3", "end all", "restore_best", "test 3", "status succeeded"])
        guard case .succeeded(let report) = outcome else { Issue.record("\(outcome)"); return }
        #expect(report.epochs == 3)
        #expect(driver.state.phaseIndex == 2)
    }

    /// A checkpoint taken inside a phase resumes it, not restarts it; without `restore_best` the job's
    /// best is left alone.
    @Test func aResumedPhaseIsResumedNotStarted() throws {
        var state = RunState(jobID: "j", groups: groups, best: Tracker(monitor: .trainLoss), seed: 1)
        state.startPhase(phases[0])
        _ = state.recordEpoch(trainLoss: 1, validation: nil, headTrained: true)
        let driver = RecordingDriver(state: state)
        _ = try loop(resumed: true, restoreBest: false).run(driver)
        #expect(driver.calls == ["status resumed", "resume head", "epoch 2", "end head",
                                 "start all", "epoch 3", "end all", "test 3", "status succeeded"])
    }

    @Test func aStopAtABoundaryEndsTheJobWithItsReport() throws {
        let driver = RecordingDriver(state: RunState(jobID: "j", groups: groups, best: Tracker(monitor: .trainLoss), seed: 1))
        driver.endAt = (1, .stop)
        let outcome = try loop().run(driver)
        #expect(driver.calls == ["status started", "start head", "epoch 1", "boundary", "restore_best", "test 1",
                                 "status stopped user_stop"])
        guard case .stopped = outcome else { Issue.record("\(outcome)"); return }
    }

    @Test func cancelAndInterruptEndWithoutTheTest() throws {
        for (end, status) in [(EpochEnd.cancel, "cancelled"), (.interrupt, "interrupted")] {
            let driver = RecordingDriver(state: RunState(jobID: "j", groups: groups, best: Tracker(monitor: .trainLoss), seed: 1))
            driver.endAt = (2, end)
            _ = try loop().run(driver)
            #expect(driver.calls == ["status started", "start head", "epoch 1", "epoch 2", "end head", "start all", "boundary",
                                     "status \(status)"])
        }
    }

    @Test func gradualUnfreezingRunsBeforeEachEpoch() throws {
        let gradual = [PhaseSpec(name: "gradual", trainable: .groups(["head"]), epochs: 2, gradualUnfreeze: GradualUnfreezeSpec(every: 1))]
        let driver = RecordingDriver(state: RunState(jobID: "j", groups: groups, best: Tracker(monitor: .trainLoss), seed: 1))
        _ = try PhaseLoop(phases: gradual, resumed: false, restoreBest: true, test: nil, testTimeAugmentation: nil).run(driver)
        #expect(driver.calls.contains("unfreeze body"))
        #expect(driver.calls.firstIndex(of: "unfreeze body")! > driver.calls.firstIndex(of: "epoch 1")!)
    }
}
