/// Where training stands within a phase: the schedule's only input, so schedules are pure.
///
/// `step` is the index of the batch about to run (0-based, counted from the phase start);
/// `totalSteps` is the phase's planned length (`stepsPerEpoch * epochs`). A resumed job rebuilds the
/// same position from the stored step, so its schedule continues exactly.
public struct SchedulePosition: Sendable, Equatable, Codable {
    public var step: Int
    public var stepsPerEpoch: Int
    public var totalSteps: Int

    public init(step: Int, stepsPerEpoch: Int, epochs: Int) {
        self.step = step
        self.stepsPerEpoch = max(1, stepsPerEpoch)
        self.totalSteps = self.stepsPerEpoch * max(1, epochs)
    }

    /// Fraction of the phase done, fastai's `pct_train`: `step / totalSteps`, in [0, 1).
    public var progress: Double { min(1, Double(step) / Double(totalSteps)) }

    /// Epochs done, fractional (1.5 = halfway through the second epoch).
    public var epoch: Double { Double(step) / Double(stepsPerEpoch) }

    /// Whole epochs done.
    public var completedEpochs: Int { step / stepsPerEpoch }
}

/// A schedule's output at one position: a factor applied to every group's peak LR (so groups keep
/// their discriminative ratios, and a group that joins mid-phase follows the schedule from where it
/// is), and the momentum (SGD momentum / Adam beta1) when the schedule cycles it.
public struct ScheduleValue: Sendable, Equatable {
    public var lrFactor: Double
    public var momentum: Double?

    public init(lrFactor: Double, momentum: Double? = nil) {
        self.lrFactor = lrFactor
        self.momentum = momentum
    }
}
