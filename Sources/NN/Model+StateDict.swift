import Tensor

extension Model {
    /// Parameters and buffers under their PyTorch names (`num_batches_tracked` as I64), loadable by
    /// the same PyTorch model with `load_state_dict(strict=True)`.
    public func stateDict() -> StateDict {
        var d = StateDict()
        for layer in layers {
            for p in layer.parameters { d.append(p.name, p.value) }
            for b in layer.buffers { d.append(b.name, b.value, dtype: b.isInteger ? .i64 : .f32) }
        }
        return d
    }

    /// Copies values from `stateDict` into the model. Validates everything first, so on error the
    /// model is unchanged. `strict` (PyTorch's meaning) also rejects missing and unexpected keys;
    /// shapes and dtypes are always checked. Float keys accept F32/F16/BF16; integer buffers I64.
    public func load(stateDict: StateDict, strict: Bool = true) throws(StateDictError) {
        let given = stateDict.byName
        var targets: [(String, Bool, [Int], (Tensor) -> Void)] = []
        for layer in layers {
            for p in layer.parameters { targets.append((p.name, false, p.value.shape, { p.value = $0 })) }
            for b in layer.buffers { targets.append((b.name, b.isInteger, b.value.shape, { b.value = $0 })) }
        }
        var assignments: [() -> Void] = []
        for (name, isInteger, shape, assign) in targets {
            guard let entry = given[name] else {
                if strict { throw .missingKey(name) }
                continue
            }
            if isInteger != (entry.dtype == .i64) {
                throw .dtypeMismatch(key: name, expected: isInteger ? "I64" : "F32/F16/BF16", got: entry.dtype.rawValue)
            }
            // `num_batches_tracked` is a 0-d tensor in PyTorch; accept [1] too.
            let sameShape = entry.tensor.shape == shape || (isInteger && entry.tensor.count == 1 && shape.isEmpty)
            guard sameShape else { throw .shapeMismatch(key: name, expected: shape, got: entry.tensor.shape) }
            let value = Tensor(shape: shape, storage: entry.tensor.storage)
            assignments.append { assign(value) }
        }
        if strict {
            let known = Set(targets.map(\.0))
            if let extra = stateDict.keys.first(where: { !known.contains($0) }) { throw .unexpectedKey(extra) }
        }
        for a in assignments { a() }
    }
}
