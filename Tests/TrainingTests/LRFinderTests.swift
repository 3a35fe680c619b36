import Foundation
import JobAPI
import Testing
@testable import Training

private func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * abs(b) }

/// Expected values come from a literal Python port of fastai's `LRFinder`, `AvgSmoothLoss`, `valley`,
/// `steep` and `minimum` run on the same synthetic curve (see the test bodies for the curve).
@Suite struct LRFinderTests {
    /// A noisy parabola in log10(LR) with its minimum at 10^-2.5.
    private func syntheticLoss(lr: Double, batch: Int) -> Double {
        1 + pow(log10(lr) + 2.5, 2) * 0.15 + 0.05 * sin(3 * Double(batch))
    }

    @Test func sweepIsExponentialFromStartTowardsEnd() {
        let finder = LRFinder()
        #expect(finder.lr(at: 0) == 1e-7)
        #expect(close(finder.lr(at: 50), 1e-3))
        #expect(close(finder.lr(at: 99), 1e-7 * pow(1e8, 0.99)))
    }

    @Test func fewerThanSixIterationsBecomeSix() {
        var spec = LRFindSpec()
        spec.numIt = 3
        #expect(LRFinder(spec: spec).spec.numIt == 6)
    }

    @Test func smoothedLossIsDebiased() {
        var s = SmoothedLoss()
        #expect(close(s.add(1), 1))
        #expect(close(s.add(2), (0.98 * 0.02 + 0.02 * 2) / (1 - 0.98 * 0.98)))
        var constant = SmoothedLoss()
        for _ in 0..<50 { constant.add(3) }
        #expect(close(constant.value, 3))
    }

    @Test func fullSweepMatchesFastaiCurveAndSuggestions() throws {
        var finder = LRFinder()
        var decision = LRFinder.Decision.continue
        var batch = 0
        while decision == .continue {
            decision = finder.record(loss: syntheticLoss(lr: finder.nextLR, batch: batch))
            batch += 1
        }
        #expect(decision == .completed && finder.lrs.count == 100)
        #expect(close(finder.losses[0], 4.0375) && close(finder.losses[1], 3.9870030305065574)
                && close(finder.losses[2], 3.927271767611543))
        let s = try #require(finder.suggestions)
        #expect(close(s.valley, 0.0003311311214825911))
        #expect(close(s.steep, 7.585775750291837e-07))
        #expect(close(s.minimum, 0.02089296130854041))
    }

    @Test func stopsWhenSmoothedLossExceedsFourTimesItsMinimum() {
        var finder = LRFinder()
        var decisions: [LRFinder.Decision] = []
        for i in 0..<100 {
            let decision = finder.record(loss: i < 20 ? 1 : exp(0.5 * Double(i - 20)))
            decisions.append(decision)
            if decision != .continue { break }
        }
        #expect(decisions.last == .diverged && finder.lrs.count == 28)
    }

    @Test func divergenceCheckCanBeTurnedOff() {
        var finder = LRFinder(spec: LRFindSpec(numIt: 30, stopDiv: false))
        var last = LRFinder.Decision.continue
        for i in 0..<30 { last = finder.record(loss: i < 20 ? 1 : exp(0.5 * Double(i - 20))) }
        #expect(last == .completed)
    }

    @Test func nonFiniteLossStopsTheSweep() {
        var finder = LRFinder()
        _ = finder.record(loss: 1)
        #expect(finder.record(loss: .infinity) == .nonFinite)
        #expect(finder.record(loss: .nan) == .nonFinite)
    }

    @Test func tooShortACurveGivesNoSuggestions() {
        var finder = LRFinder()
        for _ in 0..<16 { _ = finder.record(loss: 1) }
        #expect(finder.suggestions == nil)  // points 10..<11: one point
        _ = finder.record(loss: 1)
        #expect(finder.suggestions != nil)
    }

    @Test func valleyOfAMonotoneCurveAndATwoPointCurve() {
        #expect(LRSuggestions.valleyIndex([3, 2, 1]) == 0)
        #expect(LRSuggestions.valleyIndex([2, 1]) == 0)  // fastai: -1, wrapped by Python to the last point
        #expect(LRSuggestions.valleyIndex([5, 4, 3, 2, 1, 2, 3]) == 0)
    }

    @Test func valleyOfACurveWithABumpMatchesFastai() {
        let losses: [Double] = [5, 4, 6, 3.5, 3, 2.9, 2.8, 2.7, 2.6, 9]
        #expect(LRSuggestions.valleyIndex(losses) == 3)
    }

    @Test func steepPicksTheLeftPointOfTheSteepestSegment() {
        #expect(LRSuggestions.steepIndex(lrs: [1e-4, 1e-3, 1e-2, 1e-1], losses: [2, 1.9, 1.0, 3]) == 1)
    }

    @Test func roundTripsThroughJSON() throws {
        var finder = LRFinder()
        for i in 0..<20 { _ = finder.record(loss: 2 - Double(i) * 0.01) }
        #expect(try JSONDecoder().decode(LRFinder.self, from: JSONEncoder().encode(finder)) == finder)
    }
}
