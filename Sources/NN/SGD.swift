import Tensor

/// `torch.optim.SGD`, applied per parameter exactly as PyTorch does:
/// ```
/// g = grad + weightDecay·p
/// buf = g (first step) | momentum·buf + (1 − dampening)·g
/// g = g + momentum·buf (nesterov) | buf
/// p = p − lr·g
/// ```
/// `momentum` is the group's `beta1`. With momentum 0 no buffer is kept.
public final class SGD: Optimizer {
    public let groups: [ParameterGroup]
    public var dampening: Float
    public var nesterov: Bool
    private var buffers: [String: Tensor] = [:]

    public init(groups: [ParameterGroup], dampening: Float = 0, nesterov: Bool = false) {
        self.groups = groups
        self.dampening = dampening
        self.nesterov = nesterov
    }

    /// One group per model layer group, all with the same hyper-parameters.
    public convenience init(model: Model, learningRate: Float, momentum: Float = 0, weightDecay: Float = 0,
                            dampening: Float = 0, nesterov: Bool = false) {
        let groups = model.groups.map { name in
            ParameterGroup(name: name, parameters: (try? model.parameters(inGroup: name)) ?? [],
                           learningRate: learningRate, weightDecay: weightDecay, beta1: momentum)
        }
        self.init(groups: groups, dampening: dampening, nesterov: nesterov)
    }

    public func step() {
        forEachUpdatable { p, group in
            let (lr, wd, mom) = (group.learningRate, group.weightDecay, group.beta1)
            var g = p.grad!
            if wd != 0 { for i in 0..<g.count { g.storage[i] += wd * p.value.storage[i] } }
            if mom != 0 {
                if var buf = buffers[p.name] {
                    buffers[p.name] = nil
                    for i in 0..<g.count { buf.storage[i] = mom * buf.storage[i] + (1 - dampening) * g.storage[i] }
                    buffers[p.name] = buf
                } else {
                    buffers[p.name] = g
                }
                let buf = buffers[p.name]!
                if nesterov {
                    for i in 0..<g.count { g.storage[i] += mom * buf.storage[i] }
                } else {
                    g = buf
                }
            }
            p.value.withMutablePointer { v in g.withPointer { d in
                for i in 0..<g.count { v[i] -= lr * d[i] }
            } }
        }
    }

    /// Momentum buffers as `<param>.momentum_buffer`.
    public func stateDict() -> StateDict {
        StateDict(groups.flatMap(\.parameters).compactMap { p in
            buffers[p.name].map { NamedTensor(name: p.name + ".momentum_buffer", tensor: $0) }
        })
    }

    public func load(stateDict: StateDict) throws(StateDictError) {
        var fresh: [String: Tensor] = [:]
        try restore(stateDict, slots: ["momentum_buffer"]) { p, _, t in fresh[p.name] = t }
        buffers = fresh
    }

    /// Momentum buffer of one parameter (nil before its first step).
    public func momentumBuffer(of p: Parameter) -> Tensor? { buffers[p.name] }
}
