import Tensor

/// Convolution → BatchNorm (→ + residual) (→ ReLU): the stage residual blocks are built of, and
/// their shortcut (`downsample.0` / `downsample.1`). When the pass neither trains nor records (a
/// frozen body, evaluation), BatchNorm, the residual add and the ReLU ride on the convolution's
/// epilogue; otherwise they are one pass over the convolution's output
/// (`BatchNorm2dLayer.forward(_:_:adding:relu:)`), whose backward needs only BatchNorm's input.
///
/// forward:  x (Cin,N,H,W) → y (Cout,N,H',W')
/// backward: dOutput (Cout,N,H',W') → dInput (Cin,N,H,W); gradients of the convolution and BatchNorm
public struct ConvBatchNormStage {
    public let conv: Conv2dLayer
    public let bn: BatchNorm2dLayer

    public init(conv: Conv2dLayer, bn: BatchNorm2dLayer) {
        self.conv = conv
        self.bn = bn
    }

    public var parameters: [Parameter] { conv.parameters + bn.parameters }

    func forward(_ x: Tensor, _ context: inout ForwardContext, adding residual: Tensor? = nil, relu: Bool) -> Tensor {
        if !context.training && !context.recordForBackward {
            return conv.forward(x, &context, epilogue: bn.inferenceEpilogue(adding: residual, relu: relu))
        }
        return bn.forward(conv.forward(x, &context), &context, adding: residual, relu: relu)
    }

    /// `reluOutput`: the stage's recorded output when its ReLU's mask is still to be applied to
    /// `dOutput` (nil when the caller masked already or the stage has no ReLU). dInput only when
    /// `context.needsInputGradient`.
    func backward(_ dOutput: Tensor, maskedBy reluOutput: Tensor? = nil, _ context: BackwardContext) -> Tensor? {
        let inner = BackwardContext(needsInputGradient: true, workspace: context.workspace)
        return conv.backward(bn.backward(dOutput, inner, maskedBy: reluOutput)!, context)
    }
}
