extension ArchitectureSpec {
    /// Checks every number and name against `ArchitectureLimits`, infers each layer's output shape
    /// and sums parameters and activations with overflow checks, allocating nothing. `Model.init`
    /// calls it before building a layer, so a spec that would trap or ask for absurd memory fails here
    /// with the layer and key named.
    public func footprint() throws(ArchitectureError) -> ModelFootprint {
        try checkBounds()
        var shape = inputShape
        var parameters = 0, activations = 0, workspace = 0
        for layer in layers {
            let step = try layer.footprintStep(input: shape)
            guard let p = CheckedSize.add(parameters, step.parameters),
                  let a = CheckedSize.add(activations, step.activations) else { throw Self.tooLarge }
            (parameters, activations, workspace) = (p, a, max(workspace, step.workspace))
            shape = step.output
        }
        return ModelFootprint(parameters: parameters, activationsPerImage: activations,
                              workspacePerImage: workspace, outputShape: shape)
    }

    static let tooLarge = ArchitectureError.invalidSpec("the network's size overflows 64-bit arithmetic")

    func checkBounds() throws(ArchitectureError) {
        let limits = ArchitectureLimits.self
        guard ArchitectureLimits.isValidName(name) else {
            throw .invalidSpec("name must be 1 to \(limits.nameLength.upperBound) characters, without control characters")
        }
        guard limits.layers.contains(layers.count) else {
            throw .invalidSpec("has \(layers.count) layers; \(ArchitectureLimits.describe(limits.layers)) are allowed")
        }
        guard limits.groups.contains(groups.count) else {
            throw .invalidSpec("has \(groups.count) groups; \(ArchitectureLimits.describe(limits.groups)) are allowed")
        }
        for g in groups where !ArchitectureLimits.isValidName(g) {
            throw .invalidSpec("group names must be 1 to \(limits.nameLength.upperBound) characters, without control characters")
        }
        guard inputShape.count == 3 else { throw .invalidSpec("inputShape must be [C, H, W], got \(inputShape)") }
        guard limits.inputChannels.contains(inputShape[0]),
              limits.inputSide.contains(inputShape[1]), limits.inputSide.contains(inputShape[2]) else {
            throw .invalidSpec("inputShape \(inputShape): C must be \(ArchitectureLimits.describe(limits.inputChannels)), "
                               + "H and W \(ArchitectureLimits.describe(limits.inputSide))")
        }
        for (key, values) in [("mean", mean), ("std", std)] {
            guard let values else { continue }
            guard values.count <= limits.inputChannels.upperBound, values.allSatisfy(\.isFinite) else {
                throw .invalidSpec("\(key) must list at most \(limits.inputChannels.upperBound) finite numbers")
            }
        }
        if let std, std.contains(where: { $0 <= 0 }) { throw .invalidSpec("std must be positive") }
        for layer in layers { try layer.checkBounds() }
    }
}

extension LayerSpec {
    struct FootprintStep {
        var output: [Int]
        var parameters: Int
        var activations: Int
        var workspace: Int
    }

    func checkBounds() throws(ArchitectureError) {
        let limits = ArchitectureLimits.self
        guard ArchitectureLimits.isValidName(name) else {
            throw .invalidLayer(layer: String(String.UnicodeScalarView(name.unicodeScalars.prefix(64))),
                                reason: "names must be 1 to \(limits.nameLength.upperBound) characters, without control characters")
        }
        if let group, !ArchitectureLimits.isValidName(group) {
            throw .invalidLayer(layer: name, reason: "group names must be 1 to \(limits.nameLength.upperBound) characters, without control characters")
        }
        let checks: [(String, Int?, ClosedRange<Int>)] = [
            ("in", self.in, limits.width), ("out", out, limits.width), ("features", features, limits.width),
            ("kernel", kernel, limits.kernel), ("stride", stride, limits.stride), ("padding", padding, limits.padding),
            ("output", output, limits.adaptiveOutput), ("width", width, limits.width),
        ]
        for (key, value, range) in checks {
            if let value, !range.contains(value) {
                throw .invalidLayer(layer: name, reason: "'\(key)' must be \(ArchitectureLimits.describe(range)), got \(value)")
            }
        }
        if let p, !(p >= 0 && p < 1) { throw .invalidLayer(layer: name, reason: "dropout p must be in [0, 1), got \(p)") }
    }

    /// This layer's output shape, parameters and stored activations for a per-image `input` shape;
    /// mirrors each layer type's `outputShape(for:)` (the tests compare the two on every built-in).
    func footprintStep(input s: [Int]) throws(ArchitectureError) -> FootprintStep {
        func need(_ v: Int?, _ key: String) throws(ArchitectureError) -> Int {
            guard let v else { throw .invalidLayer(layer: name, reason: "\(kind.rawValue) needs '\(key)'") }
            return v
        }
        func planes() throws(ArchitectureError) -> (c: Int, h: Int, w: Int) {
            guard s.count == 3 else { throw .shapeMismatch(layer: name, expected: "[C, H, W]", got: "\(s)") }
            return (s[0], s[1], s[2])
        }
        func side(_ n: Int, k: Int, stride: Int, pad: Int) throws(ArchitectureError) -> Int {
            guard n + 2 * pad >= k else { throw .invalidLayer(layer: name, reason: "input \(s) smaller than kernel") }
            return (n + 2 * pad - k) / stride + 1
        }
        func elements(_ shape: [Int]) throws(ArchitectureError) -> Int {
            guard let n = CheckedSize.product(shape) else { throw ArchitectureSpec.tooLarge }
            return n
        }
        func step(_ output: [Int], parameters: Int = 0, keeps: Int = 1, workspace: Int = 0) throws(ArchitectureError) -> FootprintStep {
            guard let kept = CheckedSize.mul(try elements(output), keeps) else { throw ArchitectureSpec.tooLarge }
            return FootprintStep(output: output, parameters: parameters, activations: kept, workspace: workspace)
        }
        func conv(_ p: (c: Int, h: Int, w: Int), out: Int, k: Int, stride: Int, pad: Int, bias: Bool)
            throws(ArchitectureError) -> (shape: [Int], parameters: Int, workspace: Int) {
            let shape = [out, try side(p.h, k: k, stride: stride, pad: pad), try side(p.w, k: k, stride: stride, pad: pad)]
            guard let weights = CheckedSize.product([out, p.c, k, k]),
                  let params = CheckedSize.add(weights, bias ? out : 0),
                  let cols = CheckedSize.product([p.c, k, k, shape[1], shape[2]]) else { throw ArchitectureSpec.tooLarge }
            return (shape, params, cols)
        }
        let stride = self.stride ?? 1, padding = self.padding ?? 0

        /// A residual block's step from its main path's convolutions (the last one's shape is the
        /// output) and BatchNorm parameter count; adds the 1x1 downsample + BatchNorm (and its two
        /// kept outputs) when the block changes stride or width, as both block types do.
        func residual(_ convs: [(shape: [Int], parameters: Int, workspace: Int)], batchNorms: Int, keeps: Int,
                      input p: (c: Int, h: Int, w: Int), cout: Int) throws(ArchitectureError) -> FootprintStep {
            let output = convs[convs.count - 1].shape
            var params = convs.map(\.parameters) + [batchNorms]
            var keeps = keeps
            if stride != 1 || p.c != cout {
                let d = try conv(p, out: cout, k: 1, stride: stride, pad: 0, bias: false)
                guard d.shape == output else {
                    throw .invalidLayer(layer: name, reason: "shortcut shape \(d.shape) differs from \(output)")
                }
                params += [d.parameters, 4 * cout]
                keeps += 2
            }
            guard let total = params.reduce(Optional(0), { acc, v in acc.flatMap { CheckedSize.add($0, v) } })
            else { throw ArchitectureSpec.tooLarge }
            return try step(output, parameters: total, keeps: keeps, workspace: convs.map(\.workspace).max() ?? 0)
        }

        switch kind {
        case .conv2d:
            let p = try planes()
            let cin = try need(self.in, "in")
            guard p.c == cin else { throw .shapeMismatch(layer: name, expected: "[\(cin), H, W]", got: "\(s)") }
            let c = try conv(p, out: try need(out, "out"), k: try need(kernel, "kernel"), stride: stride, pad: padding,
                             bias: bias ?? true)
            return try step(c.shape, parameters: c.parameters, workspace: c.workspace)
        case .batchNorm2d:
            let p = try planes(), f = try need(features, "features")
            guard p.c == f else { throw .shapeMismatch(layer: name, expected: "[\(f), H, W]", got: "\(s)") }
            return try step(s, parameters: 4 * f)
        case .relu, .dropout:
            return try step(s)
        case .maxPool2d, .avgPool2d:
            let p = try planes(), k = try need(kernel, "kernel")
            guard padding * 2 <= k else { throw .invalidLayer(layer: name, reason: "padding must be at most half the kernel") }
            let st = self.stride ?? k
            return try step([p.c, try side(p.h, k: k, stride: st, pad: padding), try side(p.w, k: k, stride: st, pad: padding)])
        case .adaptiveAvgPool2d:
            let p = try planes(), o = output ?? 1
            return try step([p.c, o, o])
        case .flatten:
            return try step([try elements(s)])
        case .linear:
            let i = try need(self.in, "in"), o = try need(out, "out")
            guard s == [i] else { throw .shapeMismatch(layer: name, expected: "[\(i)]", got: "\(s)") }
            guard let weights = CheckedSize.mul(i, o), let params = CheckedSize.add(weights, (bias ?? true) ? o : 0)
            else { throw ArchitectureSpec.tooLarge }
            return try step([o], parameters: params)
        case .basicBlock:
            let p = try planes()
            let cin = try need(self.in, "in"), cout = try need(out, "out")
            guard p.c == cin else { throw .shapeMismatch(layer: name, expected: "[\(cin), H, W]", got: "\(s)") }
            let c1 = try conv(p, out: cout, k: 3, stride: stride, pad: 1, bias: false)
            let c2 = try conv((cout, c1.shape[1], c1.shape[2]), out: cout, k: 3, stride: 1, pad: 1, bias: false)
            // conv1, bn1 (+ReLU), conv2, bn2 outputs kept.
            return try residual([c1, c2], batchNorms: 8 * cout, keeps: 4, input: p, cout: cout)
        case .bottleneck:
            let p = try planes()
            let cin = try need(self.in, "in"), cout = try need(out, "out")
            let w = width ?? cout / 4
            guard w >= 1 else { throw .invalidLayer(layer: name, reason: "'width' (default out/4) must be at least 1, got \(w)") }
            guard p.c == cin else { throw .shapeMismatch(layer: name, expected: "[\(cin), H, W]", got: "\(s)") }
            let c1 = try conv(p, out: w, k: 1, stride: 1, pad: 0, bias: false)
            let c2 = try conv((w, c1.shape[1], c1.shape[2]), out: w, k: 3, stride: stride, pad: 1, bias: false)
            let c3 = try conv((w, c2.shape[1], c2.shape[2]), out: cout, k: 1, stride: 1, pad: 0, bias: false)
            // conv1, bn1, conv2, bn2, conv3, bn3 outputs kept.
            return try residual([c1, c2, c3], batchNorms: 8 * w + 4 * cout, keeps: 6, input: p, cout: cout)
        }
    }
}

extension ArchitectureSpec {
    /// The spec with its head's last Linear layer giving `classes` outputs, as `Model.replaceHead`
    /// builds it; unchanged when the head has no Linear layer. For estimating a job's model before
    /// building it.
    public func replacingHead(classes: Int) -> ArchitectureSpec {
        guard let owners = try? resolvedGroups(), let head = groups.last,
              let i = layers.indices.last(where: { owners[$0] == head && layers[$0].kind == .linear }) else { return self }
        var copy = self
        copy.layers[i].out = classes
        return copy
    }
}
