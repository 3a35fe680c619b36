import Tensor

/// PyTorch's `AdaptiveAvgPool2d(output)`: output cell (i, j) averages rows
/// `⌊i·H/out⌋ ..< ⌈(i+1)·H/out⌉` (and the same for columns). `output = 1` is global average pooling.
///
/// forward:  x (C,N,H,W) → y (C,N,out,out)
/// backward: dOutput (C,N,out,out) → dInput (C,N,H,W)
public final class AdaptiveAvgPool2dLayer: Layer {
    public let name: String
    public let output: Int
    private var inputShape: [Int]?

    public init(name: String, output: Int = 1) {
        self.name = name
        self.output = output
    }

    public var parameters: [Parameter] { [] }

    public func outputShape(for s: [Int]) throws(ArchitectureError) -> [Int] {
        guard s.count == 3 else { throw .shapeMismatch(layer: name, expected: "[C, H, W]", got: "\(s)") }
        guard output > 0 else { throw .invalidLayer(layer: name, reason: "output size must be positive") }
        return [s[0], output, output]
    }

    private static func window(_ i: Int, _ size: Int, _ out: Int) -> Range<Int> {
        (i * size / out)..<(((i + 1) * size + out - 1) / out)
    }

    public func forward(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        let (h, w, planes, o) = (x.shape[2], x.shape[3], x.shape[0] * x.shape[1], output)
        inputShape = context.recordForBackward ? x.shape : nil
        return Tensor(shape: [x.shape[0], x.shape[1], o, o]) { y in
            x.withPointer { xp in
                let box = UnsafeSendableBox((xp, y))
                Parallel.forEach(planes, minimumPerThread: 16) { p in
                    let (xp, y) = box.value
                    let src = xp + p * h * w
                    for i in 0..<o { for j in 0..<o {
                        let rows = Self.window(i, h, o), cols = Self.window(j, w, o)
                        var s: Float = 0
                        if o == 1 {
                            s = Reduce.sum(src, h * w)
                        } else {
                            for r in rows { for c in cols { s += src[r * w + c] } }
                        }
                        y[p * o * o + i * o + j] = s / Float(rows.count * cols.count)
                    }}
                }
            }
        }
    }

    public func backward(_ dOutput: Tensor, _ context: BackwardContext) -> Tensor? {
        guard let shape = inputShape else { preconditionFailure("\(name): backward without a recorded forward") }
        inputShape = nil
        guard context.needsInputGradient else { return nil }
        let (h, w, planes, o) = (shape[2], shape[3], shape[0] * shape[1], output)
        var dx = Tensor.zeros(shape)
        dx.withMutablePointer { dxp in dOutput.withPointer { dyp in
            let box = UnsafeSendableBox((dxp, dyp))
            Parallel.forEach(planes, minimumPerThread: 16) { p in
                let (dxp, dyp) = box.value
                let dst = dxp + p * h * w
                for i in 0..<o { for j in 0..<o {
                    let rows = Self.window(i, h, o), cols = Self.window(j, w, o)
                    let d = dyp[p * o * o + i * o + j] / Float(rows.count * cols.count)
                    for r in rows { for c in cols { dst[r * w + c] += d } }
                }}
            }
        } }
        return dx
    }
}
