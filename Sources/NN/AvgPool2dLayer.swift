import Tensor

/// Average pooling, PyTorch's `AvgPool2d` with `count_include_pad=True` (padding counts as zeros,
/// every window divides by k²) and floor mode.
///
/// forward:  x (C,N,H,W) → y (C,N,H',W')
/// backward: dOutput (C,N,H',W') → dInput (C,N,H,W), each output spreading dOutput/k² over its window
public final class AvgPool2dLayer: Layer {
    public let name: String
    public let kernel: Int, stride: Int, padding: Int
    private var inputShape: [Int]?

    public init(name: String, kernel: Int, stride: Int? = nil, padding: Int = 0) {
        self.name = name
        (self.kernel, self.stride, self.padding) = (kernel, stride ?? kernel, padding)
    }

    public var parameters: [Parameter] { [] }

    public func outputShape(for s: [Int]) throws(ArchitectureError) -> [Int] {
        guard s.count == 3 else { throw .shapeMismatch(layer: name, expected: "[C, H, W]", got: "\(s)") }
        guard padding * 2 <= kernel else { throw .invalidLayer(layer: name, reason: "padding must be at most half the kernel") }
        let g = geometry(c: s[0], h: s[1], w: s[2])
        guard g.outH > 0, g.outW > 0 else { throw .invalidLayer(layer: name, reason: "input \(s) smaller than kernel") }
        return [s[0], g.outH, g.outW]
    }

    func geometry(c: Int, h: Int, w: Int) -> Conv2dGeometry {
        Conv2dGeometry(inChannels: c, outChannels: c, kernel: kernel, stride: stride, padding: padding, inH: h, inW: w)
    }

    public func forward(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        let g = geometry(c: x.shape[0], h: x.shape[2], w: x.shape[3])
        let planes = x.shape[0] * x.shape[1]
        inputShape = context.recordForBackward ? x.shape : nil
        let scale = 1 / Float(kernel * kernel)
        return Tensor(shape: [x.shape[0], x.shape[1], g.outH, g.outW]) { y in
            x.withPointer { xp in
                let box = UnsafeSendableBox((xp, y))
                Parallel.forEach(planes) { p in
                    let (xp, y) = box.value
                    let src = xp + p * g.inPlane
                    for oy in 0..<g.outH { for ox in 0..<g.outW {
                        var s: Float = 0
                        for i in 0..<kernel {
                            let iy = oy * stride - padding + i
                            if iy < 0 || iy >= g.inH { continue }
                            for j in 0..<kernel {
                                let ix = ox * stride - padding + j
                                if ix >= 0 && ix < g.inW { s += src[iy * g.inW + ix] }
                            }
                        }
                        y[p * g.outPlane + oy * g.outW + ox] = s * scale
                    }}
                }
            }
        }
    }

    public func backward(_ dOutput: Tensor, _ context: BackwardContext) -> Tensor? {
        guard let shape = inputShape else { preconditionFailure("\(name): backward without a recorded forward") }
        inputShape = nil
        guard context.needsInputGradient else { return nil }
        let g = geometry(c: shape[0], h: shape[2], w: shape[3])
        let planes = shape[0] * shape[1]
        let scale = 1 / Float(kernel * kernel)
        var dx = Tensor.zeros(shape)
        dx.withMutablePointer { dxp in dOutput.withPointer { dyp in
            let box = UnsafeSendableBox((dxp, dyp))
            Parallel.forEach(planes) { p in
                let (dxp, dyp) = box.value
                let dst = dxp + p * g.inPlane
                for oy in 0..<g.outH { for ox in 0..<g.outW {
                    let d = dyp[p * g.outPlane + oy * g.outW + ox] * scale
                    for i in 0..<kernel {
                        let iy = oy * stride - padding + i
                        if iy < 0 || iy >= g.inH { continue }
                        for j in 0..<kernel {
                            let ix = ox * stride - padding + j
                            if ix >= 0 && ix < g.inW { dst[iy * g.inW + ix] += d }
                        }
                    }
                }}
            }
        } }
        return dx
    }
}
