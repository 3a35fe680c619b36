import Foundation

/// Discriminative learning rates: one peak LR per layer group, small for the early (generic) groups and
/// large for the head, spread as fastai spreads `slice(lo, hi)`.
public enum DiscriminativeLR {
    /// fastai's `even_mults`: `n` values stepped geometrically from `start` to `stop`
    /// (`start * (stop/start)^(i/(n-1))`); a single value is `stop`.
    public static func evenMults(start: Double, stop: Double, count n: Int) -> [Double] {
        guard n > 1 else { return n == 1 ? [stop] : [] }
        let step = pow(stop / start, 1 / Double(n - 1))
        return (0..<n).map { start * pow(step, Double($0)) }
    }

    /// fastai's `slice(stop)` without a start: every group but the last gets `stop/10`, the last `stop`
    /// (how fastai's `fine_tune` sets the LR of its frozen-body phase).
    public static func sliceStop(_ stop: Double, count n: Int) -> [Double] {
        guard n > 0 else { return [] }
        return Array(repeating: stop / 10, count: n - 1) + [stop]
    }
}
