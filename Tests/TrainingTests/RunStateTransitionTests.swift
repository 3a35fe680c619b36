import JobAPI
import Testing
@testable import Training

/// The run's position as a value: phase start, epoch record and phase end, without a model.
@Suite struct RunStateTransitionTests {
    private func fresh() -> RunState {
        var state = RunState(jobID: "j", groups: smallCNNState(), best: Tracker(monitor: .valLoss), seed: 1)
        state.jobStopping = EarlyStopping(spec: EarlyStoppingSpec(patience: 3), scope: .job)
        state.autoUnfreeze = AutoUnfreezePolicy(spec: AutoUnfreezeSpec(patience: 2))
        return state
    }

    @Test func aPhaseStartSetsGroupsTrackersAndTheScheduleAtStepZero() {
        var state = fresh()
        let plateau = PhaseSpec(name: "head", trainable: .groups(["head"]), epochs: 4, lr: .uniform(3e-3),
                                schedule: .reduceOnPlateau(ReduceOnPlateauSpec(patience: 2)),
                                earlyStopping: EarlyStoppingSpec(patience: 2))
        state.phaseStep = 7
        state.startPhase(plateau)
        #expect(state.phaseStarted && state.phaseStep == 0 && state.phaseEpoch == 0)
        #expect(state.groups == smallCNNState().startingPhase(plateau))
        #expect(state.phaseStopping?.scope == .phase && state.phaseStopping?.spec.patience == 2)
        #expect(state.plateau?.multiplier == 1)

        let oneCycle = PhaseSpec(name: "all", trainable: .all, epochs: 2)
        state.startPhase(oneCycle)
        #expect(state.plateau == nil && state.phaseStopping == nil)
        #expect(state.groups.trainableGroups == ["block1", "block2", "head"])
    }

    @Test func jobEarlyStoppingKeepsItsBestAcrossAPhaseStartButRestartsPatience() {
        var state = fresh()
        var stopping = state.jobStopping!
        _ = stopping.afterEpoch(EpochMetrics(epoch: 0, trainLoss: 1, valLoss: 0.5))
        _ = stopping.afterEpoch(EpochMetrics(epoch: 1, trainLoss: 1, valLoss: 0.6))
        state.jobStopping = stopping
        #expect(state.jobStopping?.tracker.epochsSinceBest == 1)
        state.startPhase(PhaseSpec(name: "next", trainable: .all, epochs: 1))
        #expect(state.jobStopping?.tracker.best == 0.5 && state.jobStopping?.tracker.epochsSinceBest == 0)
    }

    @Test func anEpochRecordMovesTheCountsAndHistory() {
        var state = fresh()
        state.startPhase(PhaseSpec(name: "head", trainable: .groups(["head"]), epochs: 2))
        let first = state.recordEpoch(trainLoss: 1.5, validation: EvaluationResult(loss: 1.2, accuracy: 0.4, perClassAccuracy: [], count: 10),
                                      headTrained: true)
        #expect(first == EpochMetrics(epoch: 0, phase: 0, trainLoss: 1.5, valLoss: 1.2, valAccuracy: 0.4))
        let second = state.recordEpoch(trainLoss: 1.1, validation: nil, headTrained: false)
        #expect(second.epoch == 1 && second.valLoss == nil)
        #expect(state.history == [first, second])
        #expect(state.globalEpoch == 2 && state.phaseEpoch == 2 && state.headTrainedEpochs == 1)
    }

    @Test func aPhaseEndMovesToTheNextPhaseNotStarted() {
        var state = fresh()
        state.startPhase(PhaseSpec(name: "head", trainable: .groups(["head"]), epochs: 1))
        _ = state.recordEpoch(trainLoss: 1, validation: nil, headTrained: true)
        state.phaseStep = 5
        state.endPhase()
        #expect(state.phaseIndex == 1 && state.phaseEpoch == 0 && state.phaseStep == 0 && !state.phaseStarted)
        #expect(state.globalEpoch == 1)
    }
}
