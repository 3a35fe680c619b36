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
    public func value(at position: SchedulePosition) -> ScheduleValue {
        let epoch = position.epoch
        var start = 0.0, length = cycleLen
        while epoch >= start + length {
            start += length
            length *= cycleMult
        }
        return ScheduleValue(lrFactor: Anneal.cos(1, minFactor, (epoch - start) / length))
    }
}

extension StepDecaySchedule {
    public func value(at position: SchedulePosition) -> ScheduleValue {
        var factor = 1.0
        for _ in 0..<(position.completedEpochs / stepSize) { factor *= gamma }
        return ScheduleValue(lrFactor: factor)
    }
}
