import JobAPI
import NN

/// Builds the job's optimizer: one parameter group per model layer group (first to head, the order of
/// `GroupState`), every parameter included, so a group that unfreezes mid-phase is already in it
/// (optimizers skip frozen parameters and keep their state).
enum OptimizerFactory {
    static func make(_ spec: OptimizerSpec, model: Model) throws -> any Optimizer {
        let wd = Float(spec.weightDecay)
        func groups(beta1: Double) throws -> [ParameterGroup] {
            try model.groups.map { name in
                ParameterGroup(name: name, parameters: try model.parameters(inGroup: name), learningRate: 0,
                               weightDecay: wd, beta1: Float(beta1))
            }
        }
        switch spec.kind {
        case .sgd:
            return SGD(groups: try groups(beta1: spec.momentum), nesterov: spec.nesterov)
        case .adam, .adamw:
            return Adam(groups: try groups(beta1: spec.beta1), variant: spec.kind == .adam ? .adam : .adamW,
                        beta2: Float(spec.beta2), eps: Float(spec.eps))
        }
    }

    /// The momentum (SGD) or beta1 (Adam) the spec sets, used when the schedule does not cycle it.
    static func baseMomentum(_ spec: OptimizerSpec) -> Double {
        spec.kind == .sgd ? spec.momentum : spec.beta1
    }
}
