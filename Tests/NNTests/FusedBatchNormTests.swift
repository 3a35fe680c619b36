import NN
import Tensor
import Testing

/// `BatchNorm2dLayer.forward(_:_:adding:relu:)` (BatchNorm + residual + ReLU in one pass, used by
/// residual blocks and by models where ReLU follows BatchNorm) against the three separate steps.
@Suite struct FusedBatchNormTests {
    static func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = SeededGenerator(seed: seed)
        var t = Tensor.zeros(shape)
        for i in 0..<t.count { t.storage[i] = g.uniform(-2, 2) }
        return t
    }

    @Test(arguments: [true, false], [true, false])
    func fusedEqualsSeparateSteps(training: Bool, withResidual: Bool) {
        // Channel-major (C, N, H, W) activations of 3 channels; 13 values per channel row (not a
        // multiple of the 8-lane loop) so the scalar tail runs too.
        let x = Self.random([3, 1, 1, 13], seed: 1), residual = withResidual ? Self.random([3, 1, 1, 13], seed: 2) : nil
        func layer() -> BatchNorm2dLayer {
            let bn = BatchNorm2dLayer(name: "bn", channels: 3)
            bn.weight.value = Tensor(shape: [3], storage: [0.5, -1.5, 2])
            bn.bias.value = Tensor(shape: [3], storage: [0.1, 0.2, -0.3])
            bn.runningMean.value = Tensor(shape: [3], storage: [0.3, -0.2, 0.1])
            bn.runningVar.value = Tensor(shape: [3], storage: [0.5, 2, 1.5])
            return bn
        }
        let (fusedLayer, plainLayer) = (layer(), layer())
        var c1 = ForwardContext(training: training, recordForBackward: false, workspace: Workspace(), generator: SeededGenerator(seed: 0))
        var c2 = c1
        let fused = fusedLayer.forward(x, &c1, adding: residual, relu: true)
        var expected = plainLayer.forward(x, &c2)
        for i in 0..<expected.count {
            expected.storage[i] = max(expected.storage[i] + (residual?.storage[i] ?? 0), 0)
        }
        #expect(fused.isClose(to: expected, rtol: 1e-6, atol: 1e-6))
        #expect(fused.storage.contains(0) && fused.storage.contains { $0 > 0 }, "the ReLU clips some values, not all")
        #expect(fusedLayer.runningMean.value == plainLayer.runningMean.value)
        #expect(fusedLayer.runningVar.value == plainLayer.runningVar.value)
    }

    @Test(arguments: [true, false])
    func maskedBackwardEqualsMaskThenBackward(training: Bool) {
        let x = Self.random([3, 2, 1, 11], seed: 3), d = Self.random([3, 2, 1, 11], seed: 4)
        func recorded() -> (BatchNorm2dLayer, Tensor) {
            let bn = BatchNorm2dLayer(name: "bn", channels: 3)
            bn.weight.value = Tensor(shape: [3], storage: [0.7, -1.2, 1.9])
            var ctx = ForwardContext(training: training, recordForBackward: true, workspace: Workspace(), generator: SeededGenerator(seed: 0))
            return (bn, bn.forward(x, &ctx, adding: nil, relu: true))
        }
        let (fused, y) = recorded(), (plain, _) = recorded()
        var masked = d
        for i in 0..<d.count where y.storage[i] <= 0 { masked.storage[i] = 0 }
        #expect(y.storage.contains(0) && masked != d, "the mask zeroes some gradients")
        let ctx = BackwardContext(needsInputGradient: true, workspace: Workspace())
        let dxFused = fused.backward(d, ctx, maskedBy: y)!, dxPlain = plain.backward(masked, ctx)!
        #expect(dxFused.isClose(to: dxPlain, rtol: 1e-5, atol: 1e-6))
        #expect(fused.weight.grad!.isClose(to: plain.weight.grad!, rtol: 1e-5, atol: 1e-6))
        #expect(fused.bias.grad!.isClose(to: plain.bias.grad!, rtol: 1e-5, atol: 1e-6))
    }

    /// Sets every BatchNorm's running statistics and affine parameters to something other than the
    /// identity, so folding them into a convolution's epilogue is really exercised.
    static func perturbBatchNorms(_ params: [Parameter], _ buffers: [Buffer]) {
        var g = SeededGenerator(seed: 21)
        for p in params where p.name.contains("bn") || p.name.contains("downsample.1") || p.name.hasPrefix("features.") {
            if p.value.rank == 1 { for i in 0..<p.value.count { p.value.storage[i] = g.uniform(0.5, 1.5) * (i % 2 == 0 ? 1 : -1) } }
        }
        for b in buffers where b.name.hasSuffix("running_mean") || b.name.hasSuffix("running_var") {
            for i in 0..<b.value.count { b.value.storage[i] = b.name.hasSuffix("var") ? g.uniform(0.3, 2) : g.uniform(-0.5, 0.5) }
        }
    }

    /// A model's inference forward (convolutions carrying BatchNorm, residual and ReLU as epilogues)
    /// against the same layers run one by one with recording on (no epilogues).
    @Test(arguments: ["resnet-mini", "small-cnn"])
    func inferenceWithEpiloguesEqualsLayerByLayer(arch: String) throws {
        let model = try Model(architecture: arch, seed: 3)
        Self.perturbBatchNorms(model.parameters, model.buffers)
        let x = Self.random([4, 1, 28, 28], seed: 5)
        let fused = try model.forward(x, training: false)
        var ctx = ForwardContext(training: false, recordForBackward: true, workspace: Workspace(), generator: SeededGenerator(seed: 0))
        var h = Layout.toChannelMajor(x)
        for layer in model.layers { h = layer.forward(h, &ctx) }
        #expect(fused.isClose(to: h, rtol: 1e-4, atol: 1e-4))
        #expect(fused.storage.contains { abs($0) > 1e-3 }, "logits are not all zero")
    }
}
