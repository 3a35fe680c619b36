/// Step decay: the LR is multiplied by `gamma` every `stepSize` epochs (PyTorch's `StepLR`).
///
/// JSON: `{"type": "step", "step_size": 5, "gamma": 0.1}`; step_size is required, gamma defaults to 0.1.
public struct StepDecaySchedule: Sendable, Equatable {
    public var stepSize: Int
    public var gamma: Double = 0.1

    public init(stepSize: Int, gamma: Double = 0.1) {
        self.stepSize = stepSize
        self.gamma = gamma
    }
}
