import JobAPI
/// The LR finder's pure core (fastai's `LRFinder` + `lr_find`): the exponential sweep, the smoothed
/// loss curve, the stop rule and the suggestions. The trainer runs one batch per `nextLR`, calls
/// `record(loss:)`, and restores the weights it started from when the sweep ends. Codable so the curve
/// can be stored with the job.
///
/// Batch i (0-based) uses `startLR * (endLR/startLR)^(i/numIt)`; the sweep ends after `numIt` batches,
/// or, with `stopDiv`, as soon as the smoothed loss exceeds 4x its minimum so far (that point is still
/// recorded, as in fastai). A non-finite loss also ends it (fastai would continue and drop those
/// points later).
public struct LRFinder: Sendable, Equatable, Codable {
    public enum Decision: String, Sendable, Equatable, Codable {
        case `continue`
        case completed
        case diverged
        case nonFinite
    }

    public var spec: LRFindSpec
    /// LR of each recorded batch.
    public private(set) var lrs: [Double] = []
    /// Smoothed (debiased) loss after each recorded batch.
    public private(set) var losses: [Double] = []
    public private(set) var bestLoss = Double.greatestFiniteMagnitude
    private var smoothed = SmoothedLoss()

    public init(spec: LRFindSpec = LRFindSpec()) {
        self.spec = spec
        self.spec.numIt = max(6, spec.numIt)
    }

    public func lr(at iteration: Int) -> Double {
        Anneal.exp(spec.startLR, spec.endLR, Double(iteration) / Double(spec.numIt))
    }

    /// The LR for the next batch.
    public var nextLR: Double { lr(at: lrs.count) }

    /// Records the loss of the batch just run at `nextLR`; says whether to go on.
    public mutating func record(loss: Double) -> Decision {
        lrs.append(nextLR)
        let value = smoothed.add(loss)
        losses.append(value)
        guard value.isFinite else { return .nonFinite }
        if value < bestLoss { bestLoss = value }
        if spec.stopDiv, value > 4 * bestLoss { return .diverged }
        return lrs.count >= spec.numIt ? .completed : .continue
    }

    /// fastai's suggestions over the curve without its first `numIt/10` and last 5 points, cut at the
    /// first non-finite loss; nil when fewer than 2 points remain.
    public var suggestions: LRSuggestions? {
        let lower = spec.numIt / 10, upper = losses.count - 5
        guard upper - lower >= 2 else { return nil }
        var curveLRs = Array(lrs[lower..<upper]), curveLosses = Array(losses[lower..<upper])
        if let cut = curveLosses.firstIndex(where: { !$0.isFinite }) {
            curveLRs = Array(curveLRs[..<cut])
            curveLosses = Array(curveLosses[..<cut])
        }
        guard curveLosses.count >= 2 else { return nil }
        return LRSuggestions(lrs: curveLRs, losses: curveLosses)
    }
}
