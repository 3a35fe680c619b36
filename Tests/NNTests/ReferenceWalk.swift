import NN
import Tensor

/// The oracle for `ExecutionPlan`: a model's layers run one at a time through the `Layer` protocol
/// (no fusion between layers), each in the mode the model's freezing gives it: training when the pass
/// trains and the layer is trainable, recording from the lowest trainable layer up; backward visits
/// the recorded layers top down.
enum ReferenceWalk {
    /// Every fusion's neighbours with the pattern broken in every way: conv+bn+relu, conv+relu,
    /// bn+relu split by a group boundary, conv+bn without ReLU, a BasicBlock, linear+relu+dropout.
    static let mixed = ArchitectureSpec(
        name: "mixed", inputShape: [2, 9, 9], groups: ["a", "b", "c", "head"],
        layers: [
            LayerSpec(name: "c0", kind: .conv2d, group: "a", in: 2, out: 4, kernel: 3, stride: 1, padding: 1, bias: true),
            LayerSpec(name: "b0", kind: .batchNorm2d, features: 4),
            LayerSpec(name: "r0", kind: .relu),
            LayerSpec(name: "c1", kind: .conv2d, in: 4, out: 4, kernel: 3, stride: 1, padding: 1, bias: false),
            LayerSpec(name: "r1", kind: .relu),
            LayerSpec(name: "b2", kind: .batchNorm2d, group: "b", features: 4),
            LayerSpec(name: "r2", kind: .relu, group: "c"),
            LayerSpec(name: "p", kind: .maxPool2d, kernel: 2, stride: 2),
            LayerSpec(name: "c3", kind: .conv2d, in: 4, out: 6, kernel: 1, stride: 1, padding: 0, bias: false),
            LayerSpec(name: "b3", kind: .batchNorm2d, features: 6),
            LayerSpec(name: "c4", kind: .conv2d, in: 6, out: 6, kernel: 3, stride: 1, padding: 1, bias: false),
            LayerSpec(name: "b4", kind: .batchNorm2d, features: 6),
            LayerSpec(name: "r4", kind: .relu),
            LayerSpec(name: "blk", kind: .basicBlock, in: 6, out: 8, stride: 2),
            LayerSpec(name: "gap", kind: .adaptiveAvgPool2d, output: 1),
            LayerSpec(name: "flatten", kind: .flatten),
            LayerSpec(name: "fc1", kind: .linear, group: "head", in: 8, out: 8),
            LayerSpec(name: "r5", kind: .relu),
            LayerSpec(name: "d", kind: .dropout, p: 0.3),
            LayerSpec(name: "fc", kind: .linear, in: 8, out: 3),
        ])

    static func lowest(_ model: Model, training: Bool) -> Int? {
        training ? model.lowestTrainableLayer : nil
    }

    /// Logits (N, classes) for NCHW `x`; dropout masks drawn from `seed`.
    static func forward(_ model: Model, _ x: Tensor, training: Bool, seed: UInt64) -> Tensor {
        let lowest = lowest(model, training: training)
        var ctx = ForwardContext(training: false, recordForBackward: false, workspace: Workspace(),
                                 generator: SeededGenerator(seed: seed))
        var y = Layout.toChannelMajor(x)
        for (i, layer) in model.layers.enumerated() {
            ctx.training = training && ((try? model.isTrainable(layer: layer.name)) ?? false)
            ctx.recordForBackward = lowest.map { i >= $0 } ?? false
            y = layer.forward(y, &ctx)
        }
        return y
    }

    /// Gradients of the last training `forward` (every trainable parameter's `grad`).
    static func backward(_ model: Model, _ dLogits: Tensor) {
        guard let lowest = model.lowestTrainableLayer else { return }
        var d = dLogits
        for i in model.layers.indices.reversed() where i >= lowest {
            let ctx = BackwardContext(needsInputGradient: i > lowest, workspace: Workspace())
            guard let next = model.layers[i].backward(d, ctx) else { break }
            d = next
        }
    }
}
