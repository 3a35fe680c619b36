/// fastai's `fit_one_cycle`: over the first `pctStart` of the phase the LR rises on a cosine from
/// peak/`divFactor` to the peak, then falls on a cosine to peak/`finalDivFactor`; momentum (SGD
/// momentum or Adam's beta1) moves the opposite way, `moms.0 → moms.1 → moms.2`.
///
/// Defaults are fastai's: pct_start 0.25, div 25, div_final 1e5, moms (0.95, 0.85, 0.95).
/// JSON: `"one_cycle"` or `{"type": "one_cycle", "pct_start": 0.3, "div_factor": 5,
/// "final_div_factor": 1e5, "moms": [0.95, 0.85, 0.95]}`; `"moms": false` turns momentum cycling off.
public struct OneCycleSchedule: Sendable, Equatable {
    public var pctStart: Double = 0.25
    public var divFactor: Double = 25
    public var finalDivFactor: Double = 1e5
    /// Momentum at the start, at the peak LR and at the end; nil leaves the optimizer's momentum alone.
    public var moms: (Double, Double, Double)? = (0.95, 0.85, 0.95)

    public init(pctStart: Double = 0.25, divFactor: Double = 25, finalDivFactor: Double = 1e5,
                moms: (Double, Double, Double)? = (0.95, 0.85, 0.95)) {
        self.pctStart = pctStart
        self.divFactor = divFactor
        self.finalDivFactor = finalDivFactor
        self.moms = moms
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.pctStart == b.pctStart && a.divFactor == b.divFactor && a.finalDivFactor == b.finalDivFactor
            && a.moms.map { [$0.0, $0.1, $0.2] } == b.moms.map { [$0.0, $0.1, $0.2] }
    }
}
