import Tensor

/// `torch.optim.Adam` and `torch.optim.AdamW` (amsgrad off), per parameter:
/// ```
/// t += 1
/// Adam:  g = grad + weightDecay·p          AdamW: p = p·(1 − lr·weightDecay)
/// m = β1·m + (1 − β1)·g ;  v = β2·v + (1 − β2)·g²
/// p = p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps)
/// ```
/// β1 is the group's `beta1` (one-cycle changes it per step; the bias correction uses the
/// current β1, as PyTorch does).
public final class Adam: Optimizer {
    public enum Variant: String, Sendable { case adam, adamW }

    public let groups: [ParameterGroup]
    public let variant: Variant
    public var beta2: Float
    public var eps: Float
    private var state: [String: (m: Tensor, v: Tensor, step: Int)] = [:]

    public init(groups: [ParameterGroup], variant: Variant = .adamW, beta2: Float = 0.999, eps: Float = 1e-8) {
        self.groups = groups
        self.variant = variant
        self.beta2 = beta2
        self.eps = eps
    }

    /// One group per model layer group with the same hyper-parameters (PyTorch's AdamW defaults).
    public convenience init(model: Model, variant: Variant = .adamW, learningRate: Float = 1e-3, beta1: Float = 0.9,
                           beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0.01) {
        let groups = model.groups.map { name in
            ParameterGroup(name: name, parameters: (try? model.parameters(inGroup: name)) ?? [],
                           learningRate: learningRate, weightDecay: weightDecay, beta1: beta1)
        }
        self.init(groups: groups, variant: variant, beta2: beta2, eps: eps)
    }

    public func step() {
        forEachUpdatable { p, group in
            let (lr, wd, b1, b2) = (group.learningRate, group.weightDecay, group.beta1, beta2)
            var s = state.removeValue(forKey: p.name) ?? (Tensor.zeros(p.value.shape), Tensor.zeros(p.value.shape), 0)
            s.step += 1
            let bc1 = 1 - Float(pow(Double(b1), Double(s.step)))
            let bc2Sqrt = Float((1 - pow(Double(b2), Double(s.step))).squareRoot())
            let stepSize = lr / bc1
            let (decoupled, eps) = (variant == .adamW, self.eps)
            let grad = p.grad!
            p.value.withMutablePointer { w in grad.withPointer { g in
                s.m.withMutablePointer { m in s.v.withMutablePointer { v in
                    for i in 0..<grad.count {
                        var gi = g[i]
                        if decoupled { w[i] *= 1 - lr * wd } else { gi += wd * w[i] }
                        m[i] += (gi - m[i]) * (1 - b1)
                        v[i] = b2 * v[i] + (1 - b2) * gi * gi
                        w[i] -= stepSize * m[i] / (v[i].squareRoot() / bc2Sqrt + eps)
                    }
                } }
            } }
            state[p.name] = s
        }
    }

    /// `<param>.exp_avg`, `<param>.exp_avg_sq`, `<param>.step` (a scalar), PyTorch's slot names.
    public func stateDict() -> StateDict {
        var d = StateDict()
        for p in groups.flatMap(\.parameters) {
            guard let s = state[p.name] else { continue }
            d.append(p.name + ".exp_avg", s.m)
            d.append(p.name + ".exp_avg_sq", s.v)
            d.append(p.name + ".step", Tensor(shape: [], storage: [Float(s.step)]))
        }
        return d
    }

    public func load(stateDict: StateDict) throws(StateDictError) {
        var parts: [String: (m: Tensor?, v: Tensor?, step: Int?)] = [:]
        try restore(stateDict, slots: ["exp_avg", "exp_avg_sq", "step"]) { p, slot, t in
            var e = parts[p.name] ?? (nil, nil, nil)
            switch slot {
            case "exp_avg": e.m = t
            case "exp_avg_sq": e.v = t
            default: e.step = Int(t.storage[0])
            }
            parts[p.name] = e
        }
        var fresh: [String: (m: Tensor, v: Tensor, step: Int)] = [:]
        for (name, e) in parts {
            guard let m = e.m else { throw .missingKey(name + ".exp_avg") }
            guard let v = e.v else { throw .missingKey(name + ".exp_avg_sq") }
            guard let step = e.step else { throw .missingKey(name + ".step") }
            fresh[name] = (m, v, step)
        }
        state = fresh
    }

    /// Steps taken by one parameter (0 before its first update).
    public func steps(of p: Parameter) -> Int { state[p.name]?.step ?? 0 }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
