import Foundation

/// fastai's annealing pieces (`sched_cos`, `sched_lin`, `sched_exp`, `sched_no`) and their
/// composition (`combine_scheds`), as pure functions of a position in [0, 1].
public enum Anneal {
    /// Cosine from `start` (pos 0) to `end` (pos 1), flat at both ends.
    public static func cos(_ start: Double, _ end: Double, _ pos: Double) -> Double {
        start + (1 + Foundation.cos(Double.pi * (1 - pos))) * (end - start) / 2
    }

    public static func linear(_ start: Double, _ end: Double, _ pos: Double) -> Double {
        start + pos * (end - start)
    }

    /// Geometric: `start * (end/start)^pos` (the LR finder's sweep).
    public static func exp(_ start: Double, _ end: Double, _ pos: Double) -> Double {
        start * pow(end / start, pos)
    }

    /// `combine_scheds`: piece i covers the fraction `pcts[i]` of [0, 1] (the fractions sum to 1) and
    /// gets its own position in [0, 1]. A position past the end stays in the last piece; an empty piece
    /// is skipped.
    public static func combined(_ pcts: [Double], _ pieces: [(Double) -> Double], at pos: Double) -> Double {
        var bounds = [0.0]
        for pct in pcts { bounds.append(bounds[bounds.count - 1] + pct) }
        let last = bounds.count - 2
        var index = 0
        for i in 0...last where pos >= bounds[i] { index = i }
        let width = bounds[index + 1] - bounds[index]
        let local = width > 0 ? (pos - bounds[index]) / width : 1
        return pieces[index](local)
    }

    /// `combined_cos`: cosine from `start` to `middle` over the first `pct`, then to `end`.
    public static func combinedCos(_ pct: Double, _ start: Double, _ middle: Double, _ end: Double, at pos: Double) -> Double {
        combined([pct, 1 - pct], [{ cos(start, middle, $0) }, { cos(middle, end, $0) }], at: pos)
    }
}
