import Foundation
import JobAPI
import Testing
@testable import Training

private func loss(_ epoch: Int, _ value: Double?) -> EpochMetrics {
    EpochMetrics(epoch: epoch, trainLoss: 1, valLoss: value)
}

@Suite struct TrackerTests {
    @Test func firstValueIsAlwaysTheBest() {
        var t = Tracker(monitor: .valLoss)
        let r1 = t.update(5, epoch: 0)
        #expect(r1 && t.best == 5 && t.bestEpoch == 0 && t.epochsSinceBest == 0)
    }

    @Test func minModeNeedsToBeatBestByMoreThanMinDelta() {
        var t = Tracker(monitor: .valLoss, minDelta: 0.1)
        t.update(1.0, epoch: 0)
        let r2 = t.update(0.95, epoch: 1)
        #expect(!r2)  // within min_delta
        let r3 = t.update(0.9, epoch: 2)
        #expect(!r3)   // exactly min_delta is not more
        let r4 = t.update(0.85, epoch: 3)
        #expect(r4)
        #expect(t.best == 0.85 && t.bestEpoch == 3)
    }

    @Test func maxModeForAccuracyByDefault() {
        var t = Tracker(monitor: .valAccuracy)
        #expect(t.mode == .max)
        t.update(0.7, epoch: 0)
        let r5 = t.update(0.6, epoch: 1)
        #expect(!r5 && t.epochsSinceBest == 1)
        let r6 = t.update(0.75, epoch: 2)
        #expect(r6 && t.epochsSinceBest == 0)
    }

    @Test func explicitModeOverridesTheMetricsDirection() {
        var t = Tracker(monitor: .valLoss, mode: .max)
        t.update(1, epoch: 0)
        let r7 = t.update(2, epoch: 1)
        #expect(r7)
    }

    @Test func nanAndMissingValuesNeverImprove() {
        var t = Tracker(monitor: .valLoss)
        let r8 = t.update(.nan, epoch: 0)
        #expect(!r8 && t.best == nil)
        let r9 = t.update(nil, epoch: 1)
        #expect(!r9 && t.epochsSinceBest == 2)
        let r10 = t.update(3, epoch: 2)
        #expect(r10)
    }

    @Test func roundTripsThroughJSONForResume() throws {
        var t = Tracker(monitor: .valLoss, minDelta: 0.01)
        t.update(0.5, epoch: 0)
        t.update(0.6, epoch: 1)
        let restored = try JSONDecoder().decode(Tracker.self, from: JSONEncoder().encode(t))
        #expect(restored == t && restored.epochsSinceBest == 1)
    }
}

@Suite struct EarlyStoppingTests {
    private let spec = EarlyStoppingSpec(monitor: .valLoss, minDelta: 0, patience: 2)

    @Test func jobScopeStopsTheJobAfterPatienceEpochsWithoutImprovement() {
        var es = EarlyStopping(spec: spec, scope: .job)
        let r11 = es.afterEpoch(loss(0, 1.0))
        #expect(r11 == .init(isNewBest: true, decision: .continue))
        let r12 = es.afterEpoch(loss(1, 0.8))
        #expect(r12 == .init(isNewBest: true, decision: .continue))
        let r13 = es.afterEpoch(loss(2, 0.9))
        #expect(r13 == .init(isNewBest: false, decision: .continue))
        let r14 = es.afterEpoch(loss(3, 0.85))
        #expect(r14 == .init(isNewBest: false, decision: .stopJob))
        #expect(es.tracker.bestEpoch == 1)
    }

    @Test func phaseScopeStopsOnlyThePhase() {
        var es = EarlyStopping(spec: EarlyStoppingSpec(patience: 1), scope: .phase)
        _ = es.afterEpoch(loss(0, 1.0))
        let r15 = es.afterEpoch(loss(1, 1.1))
        #expect(r15.decision == .stopPhase)
    }

    @Test func jobScopeKeepsTheBestAcrossPhasesButRestartsPatience() {
        var es = EarlyStopping(spec: spec, scope: .job)
        _ = es.afterEpoch(loss(0, 0.5))
        _ = es.afterEpoch(loss(1, 0.6))
        es.startPhase()
        #expect(es.tracker.best == 0.5 && es.tracker.epochsSinceBest == 0)
        let r16 = es.afterEpoch(loss(2, 0.55))
        #expect(r16.decision == .continue)
        let r17 = es.afterEpoch(loss(3, 0.4))
        #expect(r17 == .init(isNewBest: true, decision: .continue))
    }

    @Test func phaseScopeForgetsTheBestAtPhaseStart() {
        var es = EarlyStopping(spec: spec, scope: .phase)
        _ = es.afterEpoch(loss(0, 0.5))
        es.startPhase()
        #expect(es.tracker.best == nil)
        let r18 = es.afterEpoch(loss(1, 0.9))
        #expect(r18.isNewBest)
    }

    @Test func accuracyMonitorStopsWhenAccuracyStalls() {
        var es = EarlyStopping(spec: EarlyStoppingSpec(monitor: .valAccuracy, patience: 1), scope: .job)
        _ = es.afterEpoch(EpochMetrics(epoch: 0, trainLoss: 1, valLoss: 1, valAccuracy: 0.8))
        let r19 = es.afterEpoch(EpochMetrics(epoch: 1, trainLoss: 1, valLoss: 0.5, valAccuracy: 0.79))
        #expect(r19.decision == .stopJob)
    }

    @Test func stateSurvivesAResume() throws {
        var es = EarlyStopping(spec: spec, scope: .job)
        _ = es.afterEpoch(loss(0, 0.5))
        _ = es.afterEpoch(loss(1, 0.6))
        var resumed = try JSONDecoder().decode(EarlyStopping.self, from: JSONEncoder().encode(es))
        #expect(resumed == es)
        let r20 = resumed.afterEpoch(loss(2, 0.7))
        #expect(r20.decision == .stopJob)
    }
}

@Suite struct ReduceOnPlateauTests {
    @Test func reducesByFactorAfterPatienceAndRestartsTheCount() {
        var r = ReduceOnPlateau(spec: ReduceOnPlateauSpec(factor: 0.1, patience: 2))
        let r21 = r.afterEpoch(loss(0, 1.0))
        #expect(!r21)
        let r22 = r.afterEpoch(loss(1, 1.1))
        #expect(!r22)
        let r23 = r.afterEpoch(loss(2, 1.2))
        #expect(r23 && r.multiplier == 0.1)
        let r24 = r.afterEpoch(loss(3, 1.3))
        #expect(!r24)
        let r25 = r.afterEpoch(loss(4, 1.4))
        #expect(r25 && abs(r.multiplier - 0.01) < 1e-15)
    }

    @Test func improvementResetsPatience() {
        var r = ReduceOnPlateau(spec: ReduceOnPlateauSpec(patience: 1))
        _ = r.afterEpoch(loss(0, 1.0))
        let r26 = r.afterEpoch(loss(1, 0.5))
        #expect(!r26)
        let r27 = r.afterEpoch(loss(2, 0.6))
        #expect(r27 && r.multiplier == 0.1)
    }

    /// fastai: `lr = max(lr / factor, min_lr)` per group, per reduction; the multiplier plus the floor
    /// gives the same LRs.
    @Test func minLRFloorsEachGroup() {
        var r = ReduceOnPlateau(spec: ReduceOnPlateauSpec(factor: 0.1, patience: 1, minLR: 1e-5))
        _ = r.afterEpoch(loss(0, 1))
        _ = r.afterEpoch(loss(1, 2))
        _ = r.afterEpoch(loss(2, 3))
        let position = SchedulePosition(step: 30, stepsPerEpoch: 10, epochs: 5)
        let lrs = ScheduleSpec.reduceOnPlateau(r.spec).learningRates(peaks: [1e-4, 1e-2], at: position,
                                                                     plateauMultiplier: r.multiplier, minLR: r.spec.minLR)
        #expect(lrs[0] == 1e-5 && abs(lrs[1] - 1e-4) < 1e-18)
    }

    @Test func stateSurvivesAResume() throws {
        var r = ReduceOnPlateau(spec: ReduceOnPlateauSpec(patience: 1))
        _ = r.afterEpoch(loss(0, 1))
        _ = r.afterEpoch(loss(1, 2))
        #expect(try JSONDecoder().decode(ReduceOnPlateau.self, from: JSONEncoder().encode(r)) == r)
    }
}
