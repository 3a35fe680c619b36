/// Parameters sharing one set of hyper-parameters (a layer group, usually). Every field can be
/// changed between any two steps: schedules write `learningRate` (and `beta1` for one-cycle
/// momentum) before each step.
public final class ParameterGroup {
    public let name: String
    public let parameters: [Parameter]
    public var learningRate: Float
    public var weightDecay: Float
    /// SGD momentum / Adam β1 (one-cycle cycles it).
    public var beta1: Float

    public init(name: String, parameters: [Parameter], learningRate: Float, weightDecay: Float = 0, beta1: Float) {
        self.name = name
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.beta1 = beta1
    }
}
