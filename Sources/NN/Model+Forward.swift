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
        try forward(upToLayer: try firstLayer(of: group), x)
    }

    /// Activations entering layer `end` (an index into `layers`, > 0), in inference mode: what the
    /// activation cache stores for the cut at `end`.
    public func forward(upToLayer end: Int, _ x: Tensor) throws(ArchitectureError) -> Tensor {
        guard (1..<layers.count).contains(end) else { throw .invalidSpec("no layer \(end) to stop before") }
        try checkInput(x, at: 0)
        let y = run(Layout.toChannelMajor(x), from: 0, to: end, training: false)
        return y.rank == 4 ? Layout.toBatchMajor(y) : y
    }

    /// Continues from activations produced by `forward(upTo: group)` to the logits. With
    /// `training`, a following `backward` covers only the layers run here.
    public func forward(from group: String, _ activations: Tensor, training: Bool) throws(ArchitectureError) -> Tensor {
        try forward(fromLayer: try firstLayer(of: group), activations, training: training)
    }

    /// Continues from activations entering layer `start` (`forward(upToLayer:)`) to the logits.
    public func forward(fromLayer start: Int, _ activations: Tensor, training: Bool) throws(ArchitectureError) -> Tensor {
        guard (0..<layers.count).contains(start) else { throw .invalidSpec("no layer \(start) to start at") }
        try checkInput(activations, at: start)
        let x = activations.rank == 4 ? Layout.toChannelMajor(activations) : activations
        return run(x, from: start, to: layers.count, training: training)
    }

    /// Where a training pass may start from cached activations: the first layer whose training pass
    /// differs from an inference pass — the lowest with trainable parameters, or a trainable dropout
    /// below it (its masks change every batch). Every layer before it then runs as in inference,
    /// so its output is a fixed function of the image. Parameter-free layers in between (ReLU, the
    /// pools, flatten) are cut off too: for a head-only ResNet that is the pooled 512/2048-d vector,
    /// not the last feature map. Nil when nothing trains or the first layer does.
    public var cacheCutLayer: Int? {
        guard let lowest = lowestTrainableLayer else { return nil }
        let dropout = layers.indices.prefix(lowest).first { isTrainableIndex($0) && layers[$0] is DropoutLayer }
        let cut = dropout ?? lowest
        return cut > 0 ? cut : nil
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
