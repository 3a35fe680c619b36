import Foundation
import JobAPI
import Testing
@testable import Training

private func epochs(_ pairs: [(train: Double, val: Double)]) -> [EpochMetrics] {
    pairs.enumerated().map { EpochMetrics(epoch: $0, trainLoss: $1.train, valLoss: $1.val) }
}

private let headOnly = smallCNNState().startingPhase(PhaseSpec(name: "head", trainable: .groups(["head"]), epochs: 3))
private let everything = smallCNNState().startingPhase(PhaseSpec(name: "all", trainable: .all, epochs: 3))

private func codes(_ history: [EpochMetrics], _ groups: GroupState, headIsNew: Bool = true, headTrainedEpochs: Int = 3) -> [Advice.Code] {
    AdviceRules.advise(history: history, groups: groups, headIsNew: headIsNew, headTrainedEpochs: headTrainedEpochs).map(\.code)
}

@Suite struct AdviceTests {
    @Test func healthyCurvesGiveNoAdvice() {
        #expect(codes(epochs([(1.0, 1.1), (0.8, 0.9), (0.6, 0.7)]), headOnly).isEmpty)
        #expect(codes([], headOnly).isEmpty)
    }

    @Test func trainingLossAboveValidationWithAFrozenBodySaysUnfreeze() {
        let advice = AdviceRules.advise(history: epochs([(1.0, 0.9), (0.9, 0.8)]), groups: headOnly, headIsNew: true, headTrainedEpochs: 2)
        #expect(advice.map(\.code) == [.underfitting])
        #expect(advice[0].message.contains("unfreeze more (next: block2)") && advice[0].epoch == 1)
    }

    @Test func underfittingWithEverythingTrainingSaysTrainLonger() {
        let advice = AdviceRules.advise(history: epochs([(1.0, 0.9), (0.9, 0.8)]), groups: everything, headIsNew: false, headTrainedEpochs: 0)
        #expect(advice.map(\.code) == [.underfitting] && advice[0].message.contains("train longer"))
    }

    @Test func oneEpochAboveIsNotYetUnderfitting() {
        #expect(codes(epochs([(1.0, 1.1), (0.9, 0.8)]), headOnly).isEmpty)
    }

    @Test func risingValidationWithFallingTrainingIsOverfitting() {
        let history = epochs([(0.5, 0.6), (0.4, 0.65), (0.3, 0.7)])
        #expect(codes(history, headOnly) == [.overfitting])
        let advice = AdviceRules.advise(history: history, groups: everything, headIsNew: true, headTrainedEpochs: 3)
        #expect(advice.map(\.code) == [.overfitting] && advice[0].message.contains("catastrophic forgetting"))
    }

    @Test func validationRisingWithTrainingRisingIsNotOverfitting() {
        #expect(codes(epochs([(0.5, 0.6), (0.55, 0.65), (0.6, 0.7)]), headOnly).isEmpty)
    }

    @Test func bodyUnfrozenBeforeTheNewHeadTrained() {
        #expect(codes(epochs([(1.0, 1.1)]), everything, headIsNew: true, headTrainedEpochs: 0) == [.headUntrained])
        #expect(codes(epochs([(1.0, 1.1)]), everything, headIsNew: false, headTrainedEpochs: 0).isEmpty)
        #expect(codes(epochs([(1.0, 1.1)]), headOnly, headIsNew: true, headTrainedEpochs: 0).isEmpty)
    }

    @Test func blownUpLossIsDivergingAndSilencesTheRest() {
        #expect(codes(epochs([(1.0, 0.9), (0.9, 0.8), (.nan, 0.8)]), headOnly) == [.diverging])
        #expect(codes(epochs([(0.5, 0.9), (2.5, 0.8)]), headOnly) == [.diverging])
    }
}

@Suite struct AutoUnfreezePolicyTests {
    @Test func plateauUnfreezesTheNextGroupThenWaitsAgain() {
        var policy = AutoUnfreezePolicy(spec: AutoUnfreezeSpec(patience: 2))
        let losses = [1.0, 1.0, 1.0, 0.9, 0.95, 0.95]
        let picks = losses.enumerated().map { policy.afterEpoch(EpochMetrics(epoch: $0, trainLoss: 1, valLoss: $1), groups: headOnly) }
        #expect(picks == [nil, nil, "block2", nil, nil, "block2"])
    }

    @Test func nothingLeftToUnfreeze() {
        var policy = AutoUnfreezePolicy(spec: AutoUnfreezeSpec(patience: 1))
        _ = policy.afterEpoch(EpochMetrics(epoch: 0, trainLoss: 1, valLoss: 1), groups: everything)
        #expect(policy.afterEpoch(EpochMetrics(epoch: 1, trainLoss: 1, valLoss: 1), groups: everything) == nil)
    }

    @Test func stateSurvivesAResume() throws {
        var policy = AutoUnfreezePolicy(spec: AutoUnfreezeSpec())
        _ = policy.afterEpoch(EpochMetrics(epoch: 0, trainLoss: 1, valLoss: 1), groups: headOnly)
        #expect(try JSONDecoder().decode(AutoUnfreezePolicy.self, from: JSONEncoder().encode(policy)) == policy)
    }
}
