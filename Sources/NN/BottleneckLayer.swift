import Tensor

/// torchvision's ResNet `Bottleneck` (ResNet-50/101/152, the "v1.5" variant that strides in the
/// 3x3 convolution):
/// `y = ReLU(BN3(conv3(ReLU(BN2(conv2(ReLU(BN1(conv1(x)))))))) + shortcut(x))`, with conv1 1x1
/// Cin→width, conv2 3x3 width→width with the block's stride, conv3 1x1 width→Cout (Cout = 4·width
/// in torchvision), all unbiased; shortcut is the identity when stride = 1 and Cin = Cout, else
/// `downsample` = 1x1 conv (stride s, unbiased) + BN, named `downsample.0` / `downsample.1`.
///
/// forward:  x (Cin,N,H,W) → y (Cout,N,H/s,W/s)
/// backward: dOutput (Cout,N,H',W') → dInput (Cin,N,H,W), gradients for all eight sub-layers.
public final class BottleneckLayer: Layer {
    public let name: String
    public let conv1: Conv2dLayer, bn1: BatchNorm2dLayer, conv2: Conv2dLayer, bn2: BatchNorm2dLayer
    public let conv3: Conv2dLayer, bn3: BatchNorm2dLayer
    public let downsample: ConvBatchNormStage?
    private var hidden1: Tensor?, hidden2: Tensor?, output: Tensor?
    private var stage1: ConvBatchNormStage { ConvBatchNormStage(conv: conv1, bn: bn1) }
    private var stage2: ConvBatchNormStage { ConvBatchNormStage(conv: conv2, bn: bn2) }
    private var stage3: ConvBatchNormStage { ConvBatchNormStage(conv: conv3, bn: bn3) }

    public init(name: String, inChannels: Int, width: Int, outChannels: Int, stride: Int,
                generator: inout SeededGenerator) {
        self.name = name
        conv1 = Conv2dLayer(name: name + ".conv1", inChannels: inChannels, outChannels: width, kernel: 1,
                            stride: 1, padding: 0, bias: false, generator: &generator)
        bn1 = BatchNorm2dLayer(name: name + ".bn1", channels: width)
        conv2 = Conv2dLayer(name: name + ".conv2", inChannels: width, outChannels: width, kernel: 3,
                            stride: stride, padding: 1, bias: false, generator: &generator)
        bn2 = BatchNorm2dLayer(name: name + ".bn2", channels: width)
        conv3 = Conv2dLayer(name: name + ".conv3", inChannels: width, outChannels: outChannels, kernel: 1,
                            stride: 1, padding: 0, bias: false, generator: &generator)
        bn3 = BatchNorm2dLayer(name: name + ".bn3", channels: outChannels)
        downsample = resnetDownsample(name: name, inChannels: inChannels, outChannels: outChannels, stride: stride,
                                      generator: &generator)
    }

    public var parameters: [Parameter] {
        conv1.parameters + bn1.parameters + conv2.parameters + bn2.parameters + conv3.parameters + bn3.parameters
            + (downsample?.parameters ?? [])
    }

    public var buffers: [Buffer] {
        bn1.buffers + bn2.buffers + bn3.buffers + (downsample?.bn.buffers ?? [])
    }

    /// The BatchNorm layers, in state-dict order (fastai's `train_bn` trains these in a frozen block).
    public var batchNorms: [BatchNorm2dLayer] { [bn1, bn2, bn3] + (downsample.map { [$0.bn] } ?? []) }

    public func outputShape(for s: [Int]) throws(ArchitectureError) -> [Int] {
        let c = try conv3.outputShape(for: conv2.outputShape(for: conv1.outputShape(for: s)))
        if let downsample {
            let d = try downsample.conv.outputShape(for: s)
            guard d == c else { throw .invalidLayer(layer: name, reason: "shortcut shape \(d) differs from \(c)") }
        } else if c != s {
            throw .invalidLayer(layer: name, reason: "identity shortcut needs output \(c) equal to input \(s)")
        }
        return c
    }

    public func forward(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        // Two conv+bn+relu, the shortcut's conv+bn, then conv+bn+add+relu (epilogues in inference).
        let a = stage1.forward(x, &context, relu: true)
        let b = stage2.forward(a, &context, relu: true)
        let shortcut = downsample.map { $0.forward(x, &context, relu: false) } ?? x
        let out = stage3.forward(b, &context, adding: shortcut, relu: true)
        (hidden1, hidden2, output) = context.recordForBackward ? (a, b, out) : (nil, nil, nil)
        return out
    }

    public func backward(_ dOutput: Tensor, _ context: BackwardContext) -> Tensor? {
        guard let a = hidden1, let b = hidden2, let y = output else {
            preconditionFailure("\(name): backward without a recorded forward")
        }
        (hidden1, hidden2, output) = (nil, nil, nil)
        let inner = BackwardContext(needsInputGradient: true, workspace: context.workspace)
        let dSum = ReLULayer.mask(dOutput, by: y)
        let db = stage3.backward(dSum, inner)!
        let da = stage2.backward(db, maskedBy: b, inner)!
        var dx = stage1.backward(da, maskedBy: a, context)
        let dShortcut = downsample.map { $0.backward(dSum, context) } ?? dSum
        guard context.needsInputGradient, let ds = dShortcut else { return nil }
        let n = ds.count
        dx!.withMutablePointer { d in ds.withPointer { s in
            for i in 0..<n { d[i] += s[i] }
        } }
        return dx
    }
}
