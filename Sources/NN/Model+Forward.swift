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
    public func backward(_ dLogits: Tensor) throws(ArchitectureError) {
        guard let range = recordedRange else { throw .invalidSpec("backward needs a preceding forward(training: true)") }
        guard dLogits.shape == [batchOfRecord, classes] else {
            throw .shapeMismatch(layer: "logits", expected: "[\(batchOfRecord), \(classes)]", got: "\(dLogits.shape)")
        }
        recordedRange = nil
        var d = dLogits
        var i = range.upperBound - 1
        while i >= range.lowerBound {
            if i - 1 >= range.lowerBound, let relu = layers[i] as? ReLULayer, let bn = layers[i - 1] as? BatchNorm2dLayer {
                // ReLU's backward folded into BatchNorm's (the mirror of the fused forward).
                let ctx = BackwardContext(needsInputGradient: i - 1 > range.lowerBound, workspace: workspace)
                guard let next = bn.backward(d, ctx, maskedBy: relu.releaseOutput()) else { break }
                d = next
                i -= 2
                continue
            }
            let ctx = BackwardContext(needsInputGradient: i > range.lowerBound, workspace: workspace)
            guard let next = layers[i].backward(d, ctx) else { break }
            d = next
            i -= 1
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

    private func run(_ input: Tensor, from start: Int, to end: Int, training: Bool) -> Tensor {
        let lowest = training ? lowestTrainableLayer.map { max($0, start) } : nil
        var ctx = ForwardContext(training: false, recordForBackward: false, workspace: workspace, generator: dropoutGenerator)
        var x = input
        let batch = input.shape[input.rank == 4 ? 1 : 0]
        var i = start
        while i < end {
            ctx.training = training && isTrainableIndex(i)
            ctx.recordForBackward = lowest.map { i >= $0 } ?? false
            if i + 2 < end, let conv = layers[i] as? Conv2dLayer, let bn = layers[i + 1] as? BatchNorm2dLayer,
               let relu = layers[i + 2] as? ReLULayer,
               (i...(i + 2)).allSatisfy({ k in !(training && isTrainableIndex(k)) && !(lowest.map { k >= $0 } ?? false) }) {
                // Conv, BatchNorm, ReLU all in inference and recording nothing: one convolution with
                // the BatchNorm and ReLU as its epilogue.
                ctx.training = false
                ctx.recordForBackward = false
                x = conv.forward(x, &ctx, epilogue: bn.inferenceEpilogue(relu: true))
                relu.adopt(output: x, &ctx)
                i += 3
                continue
            }
            if i + 1 < end, let bn = layers[i] as? BatchNorm2dLayer, let relu = layers[i + 1] as? ReLULayer {
                // BatchNorm then ReLU (VGG-style nets): one pass over memory; the ReLU layer records
                // the output it would have computed, so backward runs layer by layer as usual.
                x = bn.forward(x, &ctx, adding: nil, relu: true)
                ctx.training = training && isTrainableIndex(i + 1)
                ctx.recordForBackward = lowest.map { i + 1 >= $0 } ?? false
                relu.adopt(output: x, &ctx)
                i += 2
                continue
            }
            x = layers[i].forward(x, &ctx)
            i += 1
        }
        dropoutGenerator = ctx.generator
        if let lowest, end == layers.count {
            recordedRange = lowest..<end
            batchOfRecord = batch
        } else {
            recordedRange = nil
        }
        return x
    }
}
