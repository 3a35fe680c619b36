import JobAPI
/// One epoch's summary, the input of trackers, early stopping, reduce-on-plateau and advice.
public struct EpochMetrics: Sendable, Equatable, Codable {
    /// 0-based epoch index over the whole job.
    public var epoch: Int
    /// Index of the phase the epoch belongs to.
    public var phase: Int
    /// Mean training loss over the epoch's batches.
    public var trainLoss: Double
    public var valLoss: Double?
    public var valAccuracy: Double?

    public init(epoch: Int, phase: Int = 0, trainLoss: Double, valLoss: Double? = nil, valAccuracy: Double? = nil) {
        self.epoch = epoch
        self.phase = phase
        self.trainLoss = trainLoss
        self.valLoss = valLoss
        self.valAccuracy = valAccuracy
    }

    public func value(of metric: Metric) -> Double? {
        switch metric {
        case .valLoss: valLoss
        case .valAccuracy: valAccuracy
        case .trainLoss: trainLoss
        }
    }
}
