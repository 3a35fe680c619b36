/// The one-line `fine_tune` preset, mirroring fastai's `Learner.fine_tune` (defaults are fastai's):
///
/// 1. `head`: only the last group trains for `freezeEpochs` epochs, one-cycle with pct_start 0.99 and
///    fastai's other one-cycle defaults, LR `slice(baseLR)` (head `baseLR`, frozen groups `baseLR/10`).
/// 2. `finetune`: every group trains for `epochs` epochs, one-cycle with `pctStart` and `div`, LRs
///    `slice(baseLR/2/lrMult, baseLR/2)` spread over the groups; the optimizer state carries over, as in
///    fastai where the same optimizer continues.
///
/// JSON: `"fine_tune": 5` (epochs) or `{"epochs": 5, "freeze_epochs": 1, "base_lr": 2e-3, "lr_mult": 100,
/// "pct_start": 0.3, "div": 5}`. A zero `freeze_epochs` skips the head phase.
public struct FineTunePreset: Sendable, Equatable {
    public var epochs: Int
    public var freezeEpochs: Int = 1
    public var baseLR: Double = 2e-3
    public var lrMult: Double = 100
    public var pctStart: Double = 0.3
    public var div: Double = 5

    public init(epochs: Int, freezeEpochs: Int = 1, baseLR: Double = 2e-3, lrMult: Double = 100,
                pctStart: Double = 0.3, div: Double = 5) {
        self.epochs = epochs
        self.freezeEpochs = freezeEpochs
        self.baseLR = baseLR
        self.lrMult = lrMult
        self.pctStart = pctStart
        self.div = div
    }

    /// The phases the preset stands for.
    public var phases: [PhaseSpec] {
        var phases: [PhaseSpec] = []
        if freezeEpochs > 0 {
            phases.append(PhaseSpec(name: "head", trainable: .last(1), epochs: freezeEpochs,
                                    lr: .discriminative(min: nil, max: baseLR),
                                    schedule: .oneCycle(OneCycleSchedule(pctStart: 0.99))))
        }
        let lr = baseLR / 2
        phases.append(PhaseSpec(name: "finetune", trainable: .all, epochs: epochs,
                                lr: .discriminative(min: lr / lrMult, max: lr),
                                schedule: .oneCycle(OneCycleSchedule(pctStart: pctStart, divFactor: div)),
                                resetOptimizer: freezeEpochs == 0))
        return phases
    }

    static func read(_ value: JSONValue, path: String, log: ProblemLog) -> FineTunePreset? {
        if case .number = value {
            return JSONRead.int(value, path: path, log: log, "in [1, 10000] (epochs)", { (1...10_000).contains($0) }).map { FineTunePreset(epochs: $0) }
        }
        guard var reader = ObjectReader(value, path: path, log: log) else { return nil }
        defer { reader.finish() }
        let before = log.problems.count
        let epochs = reader.int("epochs", required: true, "in [1, 10000]", { (1...10_000).contains($0) })
        var preset = FineTunePreset(epochs: epochs ?? 1)
        if let v = reader.int("freeze_epochs", "in [0, 10000]", { (0...10_000).contains($0) }) { preset.freezeEpochs = v }
        if let v = reader.double("base_lr", LRSpec.validRange, LRSpec.isValid) { preset.baseLR = v }
        if let v = reader.double("lr_mult", "in [1, 1e6]", { $0 >= 1 && $0 <= 1e6 }) { preset.lrMult = v }
        if let v = reader.double("pct_start", "in [0, 1)", { $0 >= 0 && $0 < 1 }) { preset.pctStart = v }
        if let v = reader.double("div", "in [1, 1e6]", { $0 >= 1 && $0 <= 1e6 }) { preset.div = v }
        return log.problems.count == before ? preset : nil
    }
}
