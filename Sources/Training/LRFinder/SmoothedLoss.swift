import Foundation

/// fastai's `AvgSmoothLoss`: an exponential moving average of the batch loss with `beta` 0.98, debiased
/// by `1 - beta^count` so early values are not pulled towards zero.
public struct SmoothedLoss: Sendable, Equatable, Codable {
    public var beta: Double
    public private(set) var count = 0
    private var average = 0.0

    public init(beta: Double = 0.98) { self.beta = beta }

    /// Adds one batch loss and returns the new smoothed value.
    @discardableResult
    public mutating func add(_ loss: Double) -> Double {
        count += 1
        average = beta * average + (1 - beta) * loss
        return value
    }

    /// The debiased average; 0 before any loss.
    public var value: Double { count == 0 ? 0 : average / (1 - pow(beta, Double(count))) }
}
