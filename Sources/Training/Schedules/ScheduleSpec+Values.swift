import Foundation
import JobAPI

extension ScheduleSpec {
    /// The schedule at `position`. Reduce-on-plateau is flat here; its stateful multiplier
    /// (`ReduceOnPlateau.multiplier`) is applied by `learningRates`.
    public func value(at position: SchedulePosition) -> ScheduleValue {
        switch self {
        case .constant, .reduceOnPlateau: ScheduleValue(lrFactor: 1)
        case .oneCycle(let s): s.value(at: position)
        case .sgdr(let s): s.value(at: position)
        case .stepDecay(let s): s.value(at: position)
        }
    }

    /// Every group's LR at `position`: `peak * factor * plateauMultiplier`, never below `minLR`
    /// (reduce-on-plateau's multiplier and floor; 1 and 0 otherwise). Frozen groups are computed too,
    /// so a group that unfreezes mid-phase joins at the schedule's current point.
    public func learningRates(peaks: [Double], at position: SchedulePosition, plateauMultiplier: Double = 1,
                              minLR: Double = 0) -> [Double] {
        let factor = value(at: position).lrFactor * plateauMultiplier
        return peaks.map { max($0 * factor, minLR) }
    }
}

extension OneCycleSchedule {
    public func value(at position: SchedulePosition) -> ScheduleValue {
        let pos = position.progress
        let lr = Anneal.combinedCos(pctStart, 1 / divFactor, 1, 1 / finalDivFactor, at: pos)
        let momentum = moms.map { Anneal.combinedCos(pctStart, $0.0, $0.1, $0.2, at: pos) }
        return ScheduleValue(lrFactor: lr, momentum: momentum)
    }
}

extension SGDRSchedule {
    /// Closed form, so no cycle length makes it loop: cycle i starts at `len * (mult^i - 1) / (mult - 1)`
    /// (`len * i` when mult is 1); the index from the logarithm is then corrected by at most a step
    /// each way for rounding.
    public func value(at position: SchedulePosition) -> ScheduleValue {
        let epoch = max(0, position.epoch)
        func start(_ i: Double) -> Double {
            cycleMult == 1 ? cycleLen * i : cycleLen * (pow(cycleMult, i) - 1) / (cycleMult - 1)
        }
        var i = cycleMult == 1
            ? (epoch / cycleLen).rounded(.down)
            : (log1p(epoch * (cycleMult - 1) / cycleLen) / log(cycleMult)).rounded(.down)
        if !i.isFinite { i = 0 }
        if start(i) > epoch, i > 0 { i -= 1 }
        if start(i + 1) <= epoch { i += 1 }
        let begin = start(i), length = start(i + 1) - begin
        let pos = length > 0 && length.isFinite ? min(1, max(0, (epoch - begin) / length)) : 0
        return ScheduleValue(lrFactor: Anneal.cos(1, minFactor, pos))
    }
}

extension StepDecaySchedule {
    public func value(at position: SchedulePosition) -> ScheduleValue {
        // Bounded: completed epochs <= the phase's epochs (<= 10000).
        var factor = 1.0
        for _ in 0..<(position.completedEpochs / stepSize) { factor *= gamma }
        return ScheduleValue(lrFactor: factor)
    }
}
