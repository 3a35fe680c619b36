/// Cosine annealing with warm restarts (SGDR, fastai's `fit_sgdr`): each cycle anneals the LR on a
/// cosine from the peak to `peak * minFactor`, then restarts at the peak. Cycle i lasts
/// `cycleLen * cycleMult^i` epochs.
///
/// Defaults: cycle_len 1 epoch, cycle_mult 2 (fastai's), min_factor 0 (fastai anneals to 0).
/// JSON: `"sgdr"` or `{"type": "sgdr", "cycle_len": 1, "cycle_mult": 2, "min_factor": 0}`.
public struct SGDRSchedule: Sendable, Equatable {
    public var cycleLen: Double = 1
    public var cycleMult: Double = 2
    public var minFactor: Double = 0

    public init(cycleLen: Double = 1, cycleMult: Double = 2, minFactor: Double = 0) {
        self.cycleLen = cycleLen
        self.cycleMult = cycleMult
        self.minFactor = minFactor
    }
}
