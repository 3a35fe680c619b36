import JobAPI
/// The opt-in `auto_unfreeze` policy's state: tracks the monitored metric and, when the phase plateaus,
/// names the group to unfreeze (the frozen one closest to the head). Codable for resume.
public struct AutoUnfreezePolicy: Sendable, Equatable, Codable {
    public var spec: AutoUnfreezeSpec
    public private(set) var tracker: Tracker

    public init(spec: AutoUnfreezeSpec) {
        self.spec = spec
        self.tracker = Tracker(monitor: spec.monitor, mode: spec.mode, minDelta: spec.minDelta)
    }

    /// Call when a phase starts: a plateau is judged within one phase.
    public mutating func startPhase() { tracker.reset() }

    /// The group to unfreeze after this epoch, if the phase has plateaued and one is still frozen.
    public mutating func afterEpoch(_ metrics: EpochMetrics, groups: GroupState) -> String? {
        guard !tracker.update(metrics), tracker.epochsSinceBest >= spec.patience, let next = groups.nextFrozenGroup else {
            return nil
        }
        tracker.restartPatience()
        return next
    }
}
