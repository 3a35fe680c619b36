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
    public let downsample: ConvBatchNormStage?
    private var hidden: Tensor?, output: Tensor?
    private var stage1: ConvBatchNormStage { ConvBatchNormStage(conv: conv1, bn: bn1) }
    private var stage2: ConvBatchNormStage { ConvBatchNormStage(conv: conv2, bn: bn2) }

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
            + (downsample?.parameters ?? [])
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
        // conv+bn+relu, the shortcut's conv+bn, then conv+bn+add+relu (epilogues in inference).
        let r = stage1.forward(x, &context, relu: true)
        let shortcut = downsample.map { $0.forward(x, &context, relu: false) } ?? x
        let out = stage2.forward(r, &context, adding: shortcut, relu: true)
        (hidden, output) = context.recordForBackward ? (r, out) : (nil, nil)
        return out
    }

    public func backward(_ dOutput: Tensor, _ context: BackwardContext) -> Tensor? {
        guard let r = hidden, let y = output else { preconditionFailure("\(name): backward without a recorded forward") }
        (hidden, output) = (nil, nil)
        let inner = BackwardContext(needsInputGradient: true, workspace: context.workspace)
        let dSum = ReLULayer.mask(dOutput, by: y)
        let dr = stage2.backward(dSum, inner)!
        var dx = stage1.backward(dr, maskedBy: r, context)
        let dShortcut = downsample.map { $0.backward(dSum, context) } ?? dSum
        guard context.needsInputGradient, let ds = dShortcut else { return nil }
        let n = ds.count
        dx!.withMutablePointer { d in ds.withPointer { s in
            for i in 0..<n { d[i] += s[i] }
        } }
        return dx
    }
}
