import JobAPI
/// The best value of one monitored metric so far, fastai's `TrackerCallback`: shared by early stopping,
/// save-best and reduce-on-plateau. Codable so a resumed job keeps its best and its patience count.
///
/// A value improves when it beats the best by more than `minDelta` (`value < best - minDelta` in min
/// mode, `value > best + minDelta` in max mode); the first finite value always does. NaN never does.
public struct Tracker: Sendable, Equatable, Codable {
    public var monitor: Metric
    public var mode: MonitorMode
    public var minDelta: Double
    public private(set) var best: Double?
    public private(set) var bestEpoch: Int?
    /// Epochs since the last improvement (fastai's `wait`).
    public private(set) var epochsSinceBest: Int = 0

    public init(monitor: Metric, mode: MonitorMode? = nil, minDelta: Double = 0) {
        self.monitor = monitor
        self.mode = mode ?? monitor.defaultMode
        self.minDelta = minDelta
    }

    public func isImprovement(_ value: Double) -> Bool {
        guard !value.isNaN else { return false }
        guard let best else { return true }
        switch mode {
        case .min: return value < best - minDelta
        case .max: return value > best + minDelta
        }
    }

    /// Records one epoch's value (nil when the metric is missing, which is no improvement); returns
    /// whether it is a new best.
    @discardableResult
    public mutating func update(_ value: Double?, epoch: Int) -> Bool {
        if let value, isImprovement(value) {
            best = value
            bestEpoch = epoch
            epochsSinceBest = 0
            return true
        }
        epochsSinceBest += 1
        return false
    }

    @discardableResult
    public mutating func update(_ metrics: EpochMetrics) -> Bool {
        update(metrics.value(of: monitor), epoch: metrics.epoch)
    }

    /// Restarts the patience count but keeps the best (a new phase, or after an LR reduction).
    public mutating func restartPatience() { epochsSinceBest = 0 }

    /// Forgets the best as well.
    public mutating func reset() {
        best = nil
        bestEpoch = nil
        epochsSinceBest = 0
    }
}
