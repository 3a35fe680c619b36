import JobAPI
/// Reduce-on-plateau state (fastai's `ReduceLROnPlateau`): after `patience` epochs without improvement
/// the multiplier on every group's LR is scaled by `factor` and the patience count restarts.
/// `ScheduleSpec.learningRates(peaks:at:plateauMultiplier:minLR:)` applies it with the `minLR` floor.
/// Codable so a resumed job keeps its reductions.
public struct ReduceOnPlateau: Sendable, Equatable, Codable {
    public var spec: ReduceOnPlateauSpec
    public private(set) var tracker: Tracker
    public private(set) var multiplier: Double = 1

    public init(spec: ReduceOnPlateauSpec) {
        self.spec = spec
        self.tracker = Tracker(monitor: spec.monitor, mode: spec.mode, minDelta: spec.minDelta)
    }

    /// Returns whether the LR was reduced after this epoch.
    @discardableResult
    public mutating func afterEpoch(_ metrics: EpochMetrics) -> Bool {
        guard !tracker.update(metrics), tracker.epochsSinceBest >= spec.patience else { return false }
        multiplier *= spec.factor
        tracker.restartPatience()
        return true
    }
}
