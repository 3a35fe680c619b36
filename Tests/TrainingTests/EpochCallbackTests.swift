import JobAPI
import Testing
@testable import Training

/// Records what the epoch-end callbacks ask of the run, in order, on a run state of its own: the
/// callbacks in isolation, without a model or data.
private final class RecordingHost: EpochCallbackHost {
    var state: RunState
    let headIsNew: Bool
    var calls: [String] = []
    /// What `reportEpoch` saw of the decisions made before it.
    var epochContext: EpochEndContext?

    init(state: RunState, headIsNew: Bool = false) {
        self.state = state
        self.headIsNew = headIsNew
    }

    func snapshotBest(_ scope: EarlyStopping.Scope) { calls.append("snapshot \(scope.rawValue)") }
    func saveCheckpoint(_ kind: CheckpointPayload.Kind, at position: CheckpointPosition) throws {
        calls.append("checkpoint \(kind.rawValue) \(position.globalEpoch)")
    }
    func reportEpoch(_ context: EpochEndContext) {
        calls.append("epoch")
        epochContext = context
    }
    func reportAdvice(_ advice: Advice) { calls.append("advice \(advice.code.rawValue)") }
    func autoUnfreeze(to groups: GroupState, unfrozen: [String]) throws {
        state.groups = groups
        calls.append("auto_unfreeze \(unfrozen.joined(separator: ","))")
    }
    func endPhase(_ phase: PhaseSpec, reason: PhaseEvent.EndReason) throws {
        state.phaseIndex += 1
        state.phaseEpoch = 0
        state.phaseStarted = false
        calls.append("end_phase \(reason.rawValue)")
    }
}

private let groups = GroupState(groups: [("body", ["conv"]), ("head", ["fc"])])

/// A run `epochsDone` epochs into a phase of `epochs`, the head training, the history as given
/// (the epoch being ended last), as `finishEpoch` leaves it before the callbacks.
private func runState(history: [EpochMetrics], monitor: Tracker = Tracker(monitor: .valLoss)) -> RunState {
    var g = groups
    g.groups[1].trainable = true
    var state = RunState(jobID: "j", groups: g, best: monitor, seed: 1)
    state.phaseStarted = true
    state.history = history
    state.globalEpoch = history.count
    state.phaseEpoch = history.count
    state.headTrainedEpochs = history.count
    return state
}

private func context(_ state: RunState, epochs: Int = 5) -> EpochEndContext {
    let metrics = state.history.last!
    let phase = PhaseSpec(name: "head", trainable: .groups(["head"]), epochs: epochs)
    return EpochEndContext(phase: phase, metrics: metrics, validation: nil,
                           timing: EpochTiming(trainSeconds: 1, cacheSeconds: 0, images: 10, fromCache: false), evalSeconds: 0,
                           position: CheckpointPosition(phaseIndex: 0, phaseName: "head", epoch: state.phaseEpoch,
                                                        globalEpoch: state.globalEpoch, metrics: metrics))
}

private func epoch(_ i: Int, train: Double, val: Double?) -> EpochMetrics {
    EpochMetrics(epoch: i, trainLoss: train, valLoss: val)
}

/// Runs the standard epoch end on the host, as the runner does.
private func finish(_ host: RecordingHost, _ context: EpochEndContext) throws -> EpochEndContext {
    var context = context
    for callback in EpochCallbacks.standard { try callback.afterEpoch(&context, run: host) }
    return context
}

@Suite struct EpochCallbackTests {
    @Test func theStandardEpochEndRunsInFastaiOrder() {
        let names = EpochCallbacks.standard.map(\.name)
        #expect(names == ["best_checkpoint", "job_early_stopping", "phase_early_stopping", "reduce_on_plateau", "epoch_event",
                          "advice", "stop_decision", "auto_unfreeze", "phase_end", "epoch_checkpoint"])
        let orders = EpochCallbacks.standard.map(\.order)
        #expect(orders == orders.sorted() && Set(orders).count == orders.count)
    }

    @Test func aNewBestIsKeptAndCheckpointedBeforeTheEventAndTheEpochCheckpointComesLast() throws {
        let host = RecordingHost(state: runState(history: [epoch(0, train: 1, val: 0.9)]))
        let end = try finish(host, context(host.state))
        #expect(host.calls == ["snapshot job", "checkpoint best 1", "epoch", "checkpoint epoch 1"])
        #expect(end.isBest && !end.phaseEnds)
        #expect(host.epochContext?.isBest == true)
        #expect(host.state.best.best == 0.9)
    }

    @Test func noImprovementWritesOnlyTheEpochCheckpoint() throws {
        var state = runState(history: [epoch(0, train: 1, val: 1.2)])
        state.best.update(0.5, epoch: 0)
        state.history.append(epoch(1, train: 0.9, val: 1.1))
        state.globalEpoch = 2
        state.phaseEpoch = 2
        let host = RecordingHost(state: state)
        _ = try finish(host, context(host.state))
        #expect(host.calls == ["epoch", "checkpoint epoch 2"])
    }

    @Test func thePhasesLastEpochEndsThePhaseBeforeTheEpochCheckpoint() throws {
        let host = RecordingHost(state: runState(history: [epoch(0, train: 1, val: 0.9)]))
        let end = try finish(host, context(host.state, epochs: 1))
        #expect(host.calls == ["snapshot job", "checkpoint best 1", "epoch", "end_phase completed", "checkpoint epoch 1"])
        #expect(end.phaseEnds && host.state.stopReason == nil && host.state.phaseIndex == 1)
    }

    @Test func aNonFiniteLossStopsTheJobAndEndsThePhaseWithThatReason() throws {
        var state = runState(history: [epoch(0, train: 1, val: 0.9)])
        state.best.update(0.9, epoch: 0)
        state.history.append(epoch(1, train: .nan, val: nil))
        state.globalEpoch = 2
        state.phaseEpoch = 2
        let host = RecordingHost(state: state)
        _ = try finish(host, context(host.state))
        #expect(host.state.stopReason == .nonFiniteLoss)
        #expect(host.calls == ["epoch", "advice diverging", "end_phase non_finite_loss", "checkpoint epoch 2"])
    }

    @Test func jobEarlyStoppingVotesAndTheStopDecisionEndsTheJob() throws {
        var state = runState(history: [epoch(0, train: 1, val: 1.5)])
        var stopping = EarlyStopping(spec: EarlyStoppingSpec(patience: 1), scope: .job)
        _ = stopping.afterEpoch(epoch(0, train: 1, val: 1.5))
        state.jobStopping = stopping
        state.best.update(1.5, epoch: 0)
        state.history.append(epoch(1, train: 0.9, val: 1.6))
        state.globalEpoch = 2
        state.phaseEpoch = 2
        let host = RecordingHost(state: state)
        let end = try finish(host, context(host.state))
        #expect(end.stopJob && host.state.stopReason == .earlyStopping)
        #expect(host.calls == ["epoch", "end_phase early_stopping", "checkpoint epoch 2"])
    }

    @Test func phaseEarlyStoppingKeepsThePhasesBestAndEndsOnlyThePhase() throws {
        var state = runState(history: [epoch(0, train: 1, val: 0.9)])
        state.phaseStopping = EarlyStopping(spec: EarlyStoppingSpec(patience: 1), scope: .phase)
        let first = RecordingHost(state: state)
        _ = try finish(first, context(first.state))
        #expect(first.calls == ["snapshot job", "checkpoint best 1", "snapshot phase", "epoch", "checkpoint epoch 1"])

        var next = first.state
        next.history.append(epoch(1, train: 0.9, val: 1.0))
        next.globalEpoch = 2
        next.phaseEpoch = 2
        let second = RecordingHost(state: next)
        let end = try finish(second, context(second.state))
        #expect(end.stopPhase && second.state.stopReason == nil)
        #expect(second.calls == ["epoch", "end_phase early_stopping", "checkpoint epoch 2"])
    }

    @Test func theEpochEventSeesThePlateausReduction() throws {
        var state = runState(history: [epoch(0, train: 1, val: 0.5)])
        var plateau = ReduceOnPlateau(spec: ReduceOnPlateauSpec(patience: 1))
        _ = plateau.afterEpoch(epoch(0, train: 1, val: 0.5))
        state.plateau = plateau
        state.best.update(0.5, epoch: 0)
        state.history.append(epoch(1, train: 0.9, val: 0.7))
        state.globalEpoch = 2
        state.phaseEpoch = 2
        let host = RecordingHost(state: state)
        _ = try finish(host, context(host.state))
        #expect(host.epochContext?.lrReduced == true)
        #expect(host.state.plateau?.multiplier ?? 1 < 1)
    }

    @Test func autoUnfreezeActsAfterTheStopDecisionOnlyWhileThePhaseGoesOn() throws {
        var state = runState(history: [epoch(0, train: 1, val: 1.5)])
        var policy = AutoUnfreezePolicy(spec: AutoUnfreezeSpec(patience: 1))
        _ = policy.afterEpoch(epoch(0, train: 1, val: 1.5), groups: state.groups)
        state.autoUnfreeze = policy
        state.best.update(1.5, epoch: 0)
        state.history.append(epoch(1, train: 0.9, val: 1.6))
        state.globalEpoch = 2
        state.phaseEpoch = 2

        let goesOn = RecordingHost(state: state)
        _ = try finish(goesOn, context(goesOn.state))
        #expect(goesOn.calls == ["epoch", "auto_unfreeze body", "checkpoint epoch 2"])
        #expect(goesOn.state.groups.trainableGroups == ["body", "head"])

        let lastEpoch = RecordingHost(state: state)
        _ = try finish(lastEpoch, context(lastEpoch.state, epochs: 2))
        #expect(lastEpoch.calls == ["epoch", "end_phase completed", "checkpoint epoch 2"])
        #expect(lastEpoch.state.groups.trainableGroups == ["head"])
    }

    @Test func adviceIsEmittedWhenItsCodeFirstAppears() throws {
        var g = groups
        g.groups[0].trainable = true
        g.groups[1].trainable = true
        var state = RunState(jobID: "j", groups: g, best: Tracker(monitor: .valLoss), seed: 1)
        state.phaseStarted = true
        state.history = [epoch(0, train: 1, val: 0.5)]
        state.globalEpoch = 1
        state.phaseEpoch = 1
        let first = RecordingHost(state: state, headIsNew: true)
        _ = try finish(first, context(first.state))
        #expect(first.calls.contains("advice head_untrained"))
        #expect(first.state.lastAdviceCodes == ["head_untrained"])

        var next = first.state
        next.history.append(epoch(1, train: 0.9, val: 0.4))
        next.globalEpoch = 2
        next.phaseEpoch = 2
        let second = RecordingHost(state: next, headIsNew: true)
        _ = try finish(second, context(second.state))
        #expect(!second.calls.contains("advice head_untrained"))
    }
}
