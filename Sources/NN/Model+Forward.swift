import Tensor

extension Model {
    /// Logits (N, classes) for an NCHW batch. `training` runs trainable BatchNorm layers on batch
    /// statistics (updating running statistics) and records what `backward` needs, from the lowest
    /// trainable layer up.
    public func forward(_ x: Tensor, training: Bool) throws(ArchitectureError) -> Tensor {
        try checkInput(x, at: 0)
        return run(Layout.toChannelMajor(x), from: 0, to: layers.count, training: training)
    }

    /// Activations entering `group` (inference mode, nothing recorded): NCHW `[N, C, H, W]` for
    /// feature maps, `[N, F]` for flat features. Used to cache a frozen body's output once.
    public func forward(upTo group: String, _ x: Tensor) throws(ArchitectureError) -> Tensor {
        let end = try firstLayer(of: group)
        try checkInput(x, at: 0)
        let y = run(Layout.toChannelMajor(x), from: 0, to: end, training: false)
        return y.rank == 4 ? Layout.toBatchMajor(y) : y
    }

    /// Continues from activations produced by `forward(upTo: group)` to the logits. With
    /// `training`, a following `backward` covers only the layers run here.
    public func forward(from group: String, _ activations: Tensor, training: Bool) throws(ArchitectureError) -> Tensor {
        let start = try firstLayer(of: group)
        try checkInput(activations, at: start)
        let x = activations.rank == 4 ? Layout.toChannelMajor(activations) : activations
        return run(x, from: start, to: layers.count, training: training)
    }

    /// Back-propagates dLogits (N, classes) through the last training forward, down to the lowest
    /// trainable layer. Sets `grad` of every trainable parameter (overwriting, not accumulating).
    /// Walks the forward's own plan in reverse, so fused ops are undone as they were run.
    public func backward(_ dLogits: Tensor) throws(ArchitectureError) {
        guard let plan = recordedPlan, let range = plan.backwardRange else {
            throw .invalidSpec("backward needs a preceding forward(training: true)")
        }
        guard dLogits.shape == [batchOfRecord, classes] else {
            throw .shapeMismatch(layer: "logits", expected: "[\(batchOfRecord), \(classes)]", got: "\(dLogits.shape)")
        }
        recordedPlan = nil
        var d = dLogits
        for op in plan.ops.reversed() where op.layers.upperBound > range.lowerBound {
            guard let next = op.backward(d, lowest: range.lowerBound, workspace: workspace) else { break }
            d = next
        }
    }

    /// Clears every parameter's gradient.
    public func zeroGradients() {
        for p in parameters { p.grad = nil }
    }

    private func checkInput(_ x: Tensor, at layer: Int) throws(ArchitectureError) {
        let expected = shapes[layer]
        guard x.rank >= 2, x.shape[0] > 0, Array(x.shape.dropFirst()) == expected else {
            throw .shapeMismatch(layer: layer < layers.count ? layers[layer].name : "output",
                                 expected: "[N, \(expected.map(String.init).joined(separator: ", "))]", got: "\(x.shape)")
        }
    }

    /// Runs layers `start..<end` as their compiled plan (`Model+Plan`); a training pass that
    /// reaches the logits is kept for `backward`.
    private func run(_ input: Tensor, from start: Int, to end: Int, training: Bool) -> Tensor {
        let plan = executionPlan(layers: start..<end, training: training)
        var ctx = ForwardContext(training: false, recordForBackward: false, workspace: workspace, generator: dropoutGenerator)
        var x = input
        for op in plan.ops { x = op.forward(x, &ctx) }
        dropoutGenerator = ctx.generator
        recordedPlan = plan.backwardRange == nil ? nil : plan
        if recordedPlan != nil { batchOfRecord = input.shape[input.rank == 4 ? 1 : 0] }
        return x
    }
}
