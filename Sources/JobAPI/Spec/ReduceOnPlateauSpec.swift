/// Reduce-on-plateau parameters: the LR stays at the peak until `monitor` has not improved (by more
/// than `minDelta`) for `patience` epochs, then every group's LR is multiplied by `factor`, never below
/// `minLR`.
///
/// Defaults are fastai's `ReduceLROnPlateau`: val_loss, patience 1, factor 0.1 (fastai writes it as a
/// divisor, 10), min_delta 0, min_lr 0.
/// JSON: `"reduce_on_plateau"` or `{"type": "reduce_on_plateau", "monitor": "val_loss", "mode": "auto",
/// "factor": 0.1, "patience": 1, "min_delta": 0, "min_lr": 0}`.
public struct ReduceOnPlateauSpec: Sendable, Equatable, Codable {
    public var monitor: Metric = .valLoss
    public var mode: MonitorMode = .min
    public var factor: Double = 0.1
    public var patience: Int = 1
    public var minDelta: Double = 0
    public var minLR: Double = 0

    public init(monitor: Metric = .valLoss, mode: MonitorMode? = nil, factor: Double = 0.1, patience: Int = 1,
                minDelta: Double = 0, minLR: Double = 0) {
        self.monitor = monitor
        self.mode = mode ?? monitor.defaultMode
        self.factor = factor
        self.patience = patience
        self.minDelta = minDelta
        self.minLR = minLR
    }
}
