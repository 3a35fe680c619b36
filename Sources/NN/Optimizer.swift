import Tensor

/// What every optimizer shares: parameter groups, skipping parameters that are frozen or have no
/// gradient (PyTorch skips `grad is None`, keeping their state), and state as named tensors so it
/// can go into a safetensors checkpoint. Each optimizer writes only its update rule.
public protocol Optimizer: AnyObject {
    var groups: [ParameterGroup] { get }
    /// Updates every trainable parameter that has a gradient.
    func step()
    /// Per-parameter state as `<parameter name>.<slot>` tensors.
    func stateDict() -> StateDict
    /// Restores what `stateDict()` produced; unknown keys or wrong shapes are errors.
    func load(stateDict: StateDict) throws(StateDictError)
}

extension Optimizer {
    public func group(named name: String) -> ParameterGroup? { groups.first { $0.name == name } }

    /// Calls `body(parameter, group, grad pointer, value pointer, count)` for each live parameter.
    func forEachUpdatable(_ body: (Parameter, ParameterGroup) -> Void) {
        for g in groups { for p in g.parameters where p.trainable && p.grad != nil { body(p, g) } }
    }

    /// Shared restore: every key must be `<param>.<slot>` of a known parameter with its shape.
    func restore(_ dict: StateDict, slots: Set<String>, into apply: (Parameter, String, Tensor) -> Void) throws(StateDictError) {
        let params = Dictionary(groups.flatMap(\.parameters).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var pending: [(Parameter, String, Tensor)] = []
        for e in dict.entries {
            guard let dot = e.name.lastIndex(of: "."), let p = params[String(e.name[..<dot])],
                  slots.contains(String(e.name[e.name.index(after: dot)...])) else { throw .unexpectedKey(e.name) }
            let slot = String(e.name[e.name.index(after: dot)...])
            let expected = slot == "step" ? [] : p.value.shape
            guard e.tensor.shape == expected || (slot == "step" && e.tensor.count == 1) else {
                throw .shapeMismatch(key: e.name, expected: expected, got: e.tensor.shape)
            }
            pending.append((p, slot, e.tensor))
        }
        for (p, s, t) in pending { apply(p, s, t) }
    }
}
