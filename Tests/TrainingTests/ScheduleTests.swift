import Foundation
import JobAPI
import Testing
@testable import Training

private func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-12) -> Bool { abs(a - b) <= tolerance * max(1, abs(b)) }

@Suite struct ScheduleTests {
    private func at(_ step: Int) -> SchedulePosition { SchedulePosition(step: step, stepsPerEpoch: 10, epochs: 4) }

    @Test func positionCountsProgressAndEpochs() {
        let p = SchedulePosition(step: 15, stepsPerEpoch: 10, epochs: 4)
        #expect(p.totalSteps == 40 && p.progress == 0.375 && p.epoch == 1.5 && p.completedEpochs == 1)
    }

    @Test func cosineAnnealIsFlatAtBothEnds() {
        #expect(Anneal.cos(2, 4, 0) == 2 && Anneal.cos(2, 4, 1) == 4 && close(Anneal.cos(2, 4, 0.5), 3))
        #expect(Anneal.linear(2, 4, 0.25) == 2.5)
        #expect(close(Anneal.exp(1e-7, 10, 0.5), 1e-7 * pow(1e8, 0.5)))
    }

    @Test func combinedSkipsEmptyPiecesAndClampsPastTheEnd() {
        let pieces: [(Double) -> Double] = [{ 10 + $0 }, { 20 + $0 }]
        #expect(Anneal.combined([0, 1], pieces, at: 0) == 20)
        #expect(Anneal.combined([0.5, 0.5], pieces, at: 0.25) == 10.5)
        #expect(Anneal.combined([0.5, 0.5], pieces, at: 1.5) == 22)
    }

    /// fastai fit_one_cycle defaults: lr max/25 → max over 25%, then → max/1e5; moms .95 → .85 → .95.
    @Test func oneCycleMatchesFastaiDefaults() {
        let s = OneCycleSchedule()
        let expected: [(step: Int, lr: Double, mom: Double)] = [
            (0, 1.0 / 25, 0.95),
            (5, 1.0 / 25 + 0.5 * (1 - 1.0 / 25), 0.90),          // halfway up (progress 0.125)
            (10, 1, 0.85),                                      // peak (progress 0.25)
            (25, 1 + 0.5 * (1e-5 - 1), 0.90),                   // halfway down (progress 0.625)
        ]
        for e in expected {
            let v = s.value(at: at(e.step))
            #expect(close(v.lrFactor, e.lr), "step \(e.step): lr \(v.lrFactor)")
            #expect(close(v.momentum!, e.mom), "step \(e.step): mom \(v.momentum!)")
        }
        let end = s.value(at: SchedulePosition(step: 40, stepsPerEpoch: 10, epochs: 4))
        #expect(close(end.lrFactor, 1e-5) && close(end.momentum!, 0.95))
    }

    @Test func oneCycleOverridesAndNoMomentum() {
        let s = OneCycleSchedule(pctStart: 0.3, divFactor: 5, moms: nil)
        let start = s.value(at: SchedulePosition(step: 0, stepsPerEpoch: 10, epochs: 10))
        let peak = s.value(at: SchedulePosition(step: 30, stepsPerEpoch: 10, epochs: 10))
        #expect(close(start.lrFactor, 0.2) && start.momentum == nil)
        #expect(close(peak.lrFactor, 1))
    }

    @Test func oneCycleRisesThenFallsMonotonically() {
        let s = OneCycleSchedule()
        let values = (0..<40).map { s.value(at: at($0)).lrFactor }
        #expect(zip(values[0..<10], values[1...10]).allSatisfy { $0 < $1 })
        #expect(zip(values[10..<39], values[11..<40]).allSatisfy { $0 > $1 })
    }

    /// fastai fit_sgdr(3, cycle_len 1) runs 1 + 2 + 4 epochs, each cycle SchedCos(lr_max, 0).
    @Test func sgdrRestartsWithGrowingCycles() {
        let s = SGDRSchedule(cycleLen: 1, cycleMult: 2)
        let expected: [(step: Int, factor: Double)] = [(0, 1), (5, 0.5), (10, 1), (20, 0.5), (30, 1), (50, 0.5), (70, 1)]
        for e in expected {
            let v = s.value(at: SchedulePosition(step: e.step, stepsPerEpoch: 10, epochs: 7))
            #expect(close(v.lrFactor, e.factor), "step \(e.step): \(v.lrFactor)")
            #expect(v.momentum == nil)
        }
    }

    @Test func sgdrWithConstantCyclesAndAFloor() {
        let s = SGDRSchedule(cycleLen: 2, cycleMult: 1, minFactor: 0.1)
        #expect(close(s.value(at: SchedulePosition(step: 10, stepsPerEpoch: 10, epochs: 6)).lrFactor, 0.55))
        #expect(close(s.value(at: SchedulePosition(step: 40, stepsPerEpoch: 10, epochs: 6)).lrFactor, 1))
        #expect(close(s.value(at: SchedulePosition(step: 39, stepsPerEpoch: 10, epochs: 6)).lrFactor, Anneal.cos(1, 0.1, 19.0 / 20)))
    }

    @Test func stepDecayDropsEveryStepSizeEpochs() {
        let s = StepDecaySchedule(stepSize: 2, gamma: 0.1)
        let factors = [0, 9, 10, 19, 20, 39, 40].map { s.value(at: SchedulePosition(step: $0, stepsPerEpoch: 10, epochs: 6)).lrFactor }
        #expect(zip(factors, [1, 1, 1, 1, 0.1, 0.1, 0.01]).allSatisfy { close($0, $1) })
    }

    @Test func constantAndPlateauAreFlat() {
        #expect(ScheduleSpec.constant.value(at: at(17)) == ScheduleValue(lrFactor: 1))
        #expect(ScheduleSpec.reduceOnPlateau(ReduceOnPlateauSpec()).value(at: at(17)) == ScheduleValue(lrFactor: 1))
    }

    @Test func learningRatesScaleEveryGroupsPeakAndRespectTheFloor() {
        let peaks = [1e-5, 1e-4, 1e-3]
        let oneCycle = ScheduleSpec.oneCycle(OneCycleSchedule())
        let lrs = oneCycle.learningRates(peaks: peaks, at: at(0))
        #expect(zip(lrs, peaks.map { $0 / 25 }).allSatisfy { close($0, $1) })
        let plateau = ScheduleSpec.constant.learningRates(peaks: peaks, at: at(3), plateauMultiplier: 0.01, minLR: 1e-6)
        #expect(zip(plateau, [1e-6, 1e-6, 1e-5]).allSatisfy { close($0, $1) })
    }

    /// A group that joins mid-phase gets its own peak times the schedule's current factor.
    @Test func groupJoiningMidPhaseFollowsTheRunningSchedule() {
        let oneCycle = ScheduleSpec.oneCycle(OneCycleSchedule(pctStart: 0.3, divFactor: 5))
        let position = at(22)
        let factor = oneCycle.value(at: position).lrFactor
        #expect(oneCycle.learningRates(peaks: [2e-4, 2e-3], at: position) == [2e-4 * factor, 2e-3 * factor])
    }
}

@Suite struct DiscriminativeLRTests {
    /// fastai even_mults(1e-5, 1e-3, 3) and the bench recipe's slice(1e-4, 1e-2) over small-cnn.
    @Test func evenMultsIsGeometricFirstToHead() {
        let lrs = DiscriminativeLR.evenMults(start: 1e-5, stop: 1e-3, count: 3)
        #expect(zip(lrs, [1e-5, 1e-4, 1e-3]).allSatisfy { close($0, $1) })
        let recipe = LRSpec.discriminative(min: 1e-4, max: 1e-2).resolve(groups: smallCNNGroups)
        #expect(zip(recipe, [1e-4, 1e-3, 1e-2]).allSatisfy { close($0, $1) })
    }

    @Test func evenMultsOverFiveGroups() {
        let lrs = DiscriminativeLR.evenMults(start: 1e-6, stop: 1e-2, count: 5)
        #expect(zip(lrs, [1e-6, 1e-5, 1e-4, 1e-3, 1e-2]).allSatisfy { close($0, $1) })
    }

    @Test func evenMultsOfOneGroupIsStop() {
        #expect(DiscriminativeLR.evenMults(start: 1e-5, stop: 1e-3, count: 1) == [1e-3])
        #expect(DiscriminativeLR.evenMults(start: 1e-5, stop: 1e-3, count: 0).isEmpty)
    }

    @Test func sliceWithoutStartGivesTheBodyATenth() {
        #expect(DiscriminativeLR.sliceStop(2e-3, count: 3) == [2e-4, 2e-4, 2e-3])
        #expect(LRSpec.discriminative(min: nil, max: 1e-2).resolve(groups: ["head"]) == [1e-2])
    }

    @Test func perGroupFallsBackToDefaultThenSmallest() {
        #expect(LRSpec.perGroup(["head": 1e-2, "block2": 1e-3], default: nil).resolve(groups: smallCNNGroups) == [1e-3, 1e-3, 1e-2])
        #expect(LRSpec.perGroup(["head": 1e-2], default: 1e-5).resolve(groups: smallCNNGroups) == [1e-5, 1e-5, 1e-2])
        #expect(LRSpec.uniform(3e-3).resolve(groups: smallCNNGroups) == [3e-3, 3e-3, 3e-3])
    }
}
