import Tensor

/// One step of an `ExecutionPlan`: one layer, or consecutive layers run as one kernel. Each kernel
/// carries its layers (typed, resolved once when the plan is compiled) and the mode each runs in,
/// and knows its own forward and its own backward; `Model+Forward` only walks the ops.
///
/// Adding a fusion: a `Kernel` case with its forward and backward here, and a row in
/// `FusionPatterns.table` saying which neighbours in which modes it replaces.
public struct FusedOp {
    public enum Kind: String, Sendable {
        /// One layer, its own forward and backward.
        case layer
        /// Convolution with an inference BatchNorm and the ReLU as its epilogue.
        case convBNReLU = "conv+bn+relu"
        /// BatchNorm and ReLU in one pass over memory (any mode).
        case bnReLU = "bn+relu"
    }

    public enum Kernel {
        case layer(any Layer, LayerMode)
        /// All three in inference, recording nothing (backward never reaches them).
        case convBNReLU(Conv2dLayer, BatchNorm2dLayer, ReLULayer)
        /// The ReLU records the output BatchNorm computed; backward folds the ReLU's mask into
        /// BatchNorm's backward.
        case bnReLU(BatchNorm2dLayer, LayerMode, ReLULayer, LayerMode)
    }

    public let kernel: Kernel
    /// The layers this op runs, indices into `Model.layers`.
    public let layers: Range<Int>

    public var kind: Kind {
        switch kernel {
        case .layer: .layer
        case .convBNReLU: .convBNReLU
        case .bnReLU: .bnReLU
        }
    }

    /// Runs the op; `context` carries the workspace and the dropout generator from op to op, its
    /// mode flags are set here per layer.
    func forward(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        switch kernel {
        case let .layer(layer, mode):
            context.set(mode)
            return layer.forward(x, &context)
        case let .convBNReLU(conv, bn, relu):
            context.set(.inference)
            let y = conv.forward(x, &context, epilogue: bn.inferenceEpilogue(relu: true))
            relu.adopt(output: y, &context)
            return y
        case let .bnReLU(bn, bnMode, relu, reluMode):
            context.set(bnMode)
            let y = bn.forward(x, &context, adding: nil, relu: true)
            context.set(reluMode)
            relu.adopt(output: y, &context)
            return y
        }
    }

    /// Back-propagates through the op's layers from `lowest` up (the lowest recorded layer of the
    /// pass); a layer computes dInput only when it is above `lowest`. Nil once nothing below needs a
    /// gradient.
    func backward(_ dOutput: Tensor, lowest: Int, workspace: Workspace) -> Tensor? {
        func context(_ index: Int) -> BackwardContext {
            BackwardContext(needsInputGradient: index > lowest, workspace: workspace)
        }
        let first = layers.lowerBound
        switch kernel {
        case let .layer(layer, _):
            return layer.backward(dOutput, context(first))
        case .convBNReLU:
            preconditionFailure("conv+bn+relu \(layers) records nothing and is never back-propagated")
        case let .bnReLU(bn, _, relu, _):
            // Recording starts at `lowest`: when that is the ReLU, BatchNorm kept nothing.
            guard first >= lowest else { return relu.backward(dOutput, context(first + 1)) }
            return bn.backward(dOutput, context(first), maskedBy: relu.releaseOutput())
        }
    }
}

extension ForwardContext {
    mutating func set(_ mode: LayerMode) {
        training = mode.training
        recordForBackward = mode.record
    }
}
