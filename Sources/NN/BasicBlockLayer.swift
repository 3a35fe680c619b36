import Tensor

/// torchvision's ResNet `BasicBlock`:
/// `y = ReLU(BN2(conv2(ReLU(BN1(conv1(x))))) + shortcut(x))`, conv1 3x3 with the block's stride,
/// conv2 3x3 stride 1, both unbiased; shortcut is the identity when stride = 1 and channels match,
/// else `downsample` = 1x1 conv (stride s, unbiased) + BN, named `downsample.0` / `downsample.1`.
///
/// forward:  x (Cin,N,H,W) → y (Cout,N,H/s,W/s)
/// backward: dOutput (Cout,N,H',W') → dInput (Cin,N,H,W), gradients for all six sub-layers.
public final class BasicBlockLayer: Layer {
    public let name: String
    public let conv1: Conv2dLayer, bn1: BatchNorm2dLayer, conv2: Conv2dLayer, bn2: BatchNorm2dLayer
    public let downsample: (conv: Conv2dLayer, bn: BatchNorm2dLayer)?
    private var hidden: Tensor?, output: Tensor?

    public init(name: String, inChannels: Int, outChannels: Int, stride: Int, generator: inout SeededGenerator) {
        self.name = name
        conv1 = Conv2dLayer(name: name + ".conv1", inChannels: inChannels, outChannels: outChannels, kernel: 3,
                            stride: stride, padding: 1, bias: false, generator: &generator)
        bn1 = BatchNorm2dLayer(name: name + ".bn1", channels: outChannels)
        conv2 = Conv2dLayer(name: name + ".conv2", inChannels: outChannels, outChannels: outChannels, kernel: 3,
                            stride: 1, padding: 1, bias: false, generator: &generator)
        bn2 = BatchNorm2dLayer(name: name + ".bn2", channels: outChannels)
        downsample = resnetDownsample(name: name, inChannels: inChannels, outChannels: outChannels, stride: stride,
                                      generator: &generator)
    }

    public var parameters: [Parameter] {
        conv1.parameters + bn1.parameters + conv2.parameters + bn2.parameters
            + (downsample.map { $0.conv.parameters + $0.bn.parameters } ?? [])
    }

    public var buffers: [Buffer] {
        bn1.buffers + bn2.buffers + (downsample?.bn.buffers ?? [])
    }

    public func outputShape(for s: [Int]) throws(ArchitectureError) -> [Int] {
        let a = try conv1.outputShape(for: s)
        let b = try conv2.outputShape(for: a)
        if let downsample {
            let c = try downsample.conv.outputShape(for: s)
            guard c == b else { throw .invalidLayer(layer: name, reason: "shortcut shape \(c) differs from \(b)") }
        }
        return b
    }

    public func forward(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        if !context.training && !context.recordForBackward {
            // Inference (a frozen body, evaluation): every BatchNorm, the residual add and the ReLUs
            // ride on the convolutions' epilogues.
            let r = conv1.forward(x, &context, epilogue: bn1.inferenceEpilogue(relu: true))
            let shortcut = downsample.map {
                $0.conv.forward(x, &context, epilogue: $0.bn.inferenceEpilogue(relu: false))
            } ?? x
            (hidden, output) = (nil, nil)
            return conv2.forward(r, &context, epilogue: bn2.inferenceEpilogue(adding: shortcut, relu: true))
        }
        // BatchNorm, residual add and ReLU in one pass each (`BatchNorm2dLayer.forward(_:_:adding:relu:)`).
        let r = bn1.forward(conv1.forward(x, &context), &context, adding: nil, relu: true)
        let shortcut = downsample.map { $0.bn.forward($0.conv.forward(x, &context), &context) } ?? x
        let out = bn2.forward(conv2.forward(r, &context), &context, adding: shortcut, relu: true)
        (hidden, output) = context.recordForBackward ? (r, out) : (nil, nil)
        return out
    }

    public func backward(_ dOutput: Tensor, _ context: BackwardContext) -> Tensor? {
        guard let r = hidden, let y = output else { preconditionFailure("\(name): backward without a recorded forward") }
        (hidden, output) = (nil, nil)
        let inner = BackwardContext(needsInputGradient: true, workspace: context.workspace)
        let outer = BackwardContext(needsInputGradient: context.needsInputGradient, workspace: context.workspace)
        let dSum = ReLULayer.mask(dOutput, by: y)
        let dr = conv2.backward(bn2.backward(dSum, inner)!, inner)!
        var dx = conv1.backward(bn1.backward(dr, inner, maskedBy: r)!, outer)
        let dShortcut = downsample.map { $0.conv.backward($0.bn.backward(dSum, inner)!, outer) } ?? dSum
        guard context.needsInputGradient, let ds = dShortcut else { return nil }
        let n = ds.count
        dx!.withMutablePointer { d in ds.withPointer { s in
            for i in 0..<n { d[i] += s[i] }
        } }
        return dx
    }
}
