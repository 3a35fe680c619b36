import Tensor

/// 2-D convolution (cross-correlation, zero padding), PyTorch's `Conv2d` with groups = 1.
///
/// forward:  x (C,N,H,W) → y (O,N,H',W'), `H' = ⌊(H + 2p − k)/s⌋ + 1`
/// backward: dOutput (O,N,H',W') → dInput (C,N,H,W); dWeight (O,C,k,k); dBias (O)
public final class Conv2dLayer: Layer {
    public let name: String
    public let inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int
    public let weight: Parameter
    public let bias: Parameter?
    private var input: Tensor?

    public init(name: String, inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, generator: inout SeededGenerator) {
        self.name = name
        (self.inChannels, self.outChannels, self.kernel, self.stride, self.padding) =
            (inChannels, outChannels, kernel, stride, padding)
        let fanIn = inChannels * kernel * kernel
        weight = Parameter(name: name + ".weight",
                           value: Initializer.uniform([outChannels, inChannels, kernel, kernel], fanIn: fanIn, &generator))
        self.bias = bias
            ? Parameter(name: name + ".bias", value: Initializer.uniform([outChannels], fanIn: fanIn, &generator)) : nil
    }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    public func outputShape(for s: [Int]) throws(ArchitectureError) -> [Int] {
        guard s.count == 3, s[0] == inChannels else {
            throw .shapeMismatch(layer: name, expected: "[\(inChannels), H, W]", got: "\(s)")
        }
        let g = geometry(h: s[1], w: s[2])
        guard g.outH > 0, g.outW > 0 else { throw .invalidLayer(layer: name, reason: "input \(s) smaller than kernel") }
        return [outChannels, g.outH, g.outW]
    }

    func geometry(h: Int, w: Int) -> Conv2dGeometry {
        Conv2dGeometry(inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride,
                       padding: padding, inH: h, inW: w)
    }

    public func forward(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        forward(x, &context, epilogue: nil)
    }

    /// The forward pass followed by `epilogue` (an inference-mode BatchNorm, a residual, a ReLU),
    /// applied by the kernel while each image's output is in cache.
    public func forward(_ x: Tensor, _ context: inout ForwardContext, epilogue: ConvolutionEpilogue?) -> Tensor {
        let n = x.shape[1]
        let g = geometry(h: x.shape[2], w: x.shape[3])
        input = context.recordForBackward ? x : nil
        let ws = context.workspace
        return Tensor(shape: [outChannels, n, g.outH, g.outW]) { y in
            x.withPointer { xp in
                weight.value.withPointer { wp in
                    if let bias {
                        bias.value.withPointer { bp in
                            ConvolutionKernels.forward(x: xp, batch: n, weight: wp, bias: bp, geometry: g, y: y,
                                                       epilogue: epilogue, workspace: ws)
                        }
                    } else {
                        ConvolutionKernels.forward(x: xp, batch: n, weight: wp, bias: nil, geometry: g, y: y,
                                                   epilogue: epilogue, workspace: ws)
                    }
                }
            }
        }
    }

    public func backward(_ dOutput: Tensor, _ context: BackwardContext) -> Tensor? {
        guard let x = input else { preconditionFailure("\(name): backward without a recorded forward") }
        let n = x.shape[1]
        let g = geometry(h: x.shape[2], w: x.shape[3])
        var dW: Tensor? = weight.trainable ? Tensor.zeros(weight.value.shape) : nil
        var dB: Tensor? = (bias?.trainable ?? false) ? Tensor.zeros([outChannels]) : nil
        var dX: Tensor? = context.needsInputGradient ? Tensor(shape: x.shape) { _ in } : nil
        x.withPointer { xp in dOutput.withPointer { dyp in weight.value.withPointer { wp in
            withOptionalPointer(&dW) { dwp in withOptionalPointer(&dB) { dbp in withOptionalPointer(&dX) { dxp in
                ConvolutionKernels.backward(x: xp, dOutput: dyp, batch: n, weight: wp, geometry: g,
                                            dWeight: dwp, dBias: dbp, dInput: dxp, workspace: context.workspace)
            } } }
        } } }
        weight.grad = dW
        bias?.grad = dB
        input = nil
        return dX
    }
}
