import Tensor

/// max(0, x), elementwise; any shape.
///
/// forward:  x → y (same shape)
/// backward: dOutput → dInput = dOutput where y > 0, else 0 (the subgradient at 0 is 0, as PyTorch)
public final class ReLULayer: Layer {
    public let name: String
    private var output: Tensor?

    public init(name: String) { self.name = name }

    public var parameters: [Parameter] { [] }
    public func outputShape(for input: [Int]) throws(ArchitectureError) -> [Int] { input }

    public func forward(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        let y = ReLULayer.apply(x)
        output = context.recordForBackward ? y : nil
        return y
    }

    /// Takes `y`, already rectified by the kernel of a `FusedOp` (a convolution's epilogue or
    /// `BatchNorm2dLayer.forward(_:_:adding:relu:)`), as this layer's output.
    func adopt(output y: Tensor, _ context: inout ForwardContext) {
        output = context.recordForBackward ? y : nil
    }

    /// The recorded output, handed over (and forgotten) for a `FusedOp` backward that applies this
    /// layer's mask inside the layer below's.
    func releaseOutput() -> Tensor {
        guard let y = output else { preconditionFailure("\(name): backward without a recorded forward") }
        output = nil
        return y
    }

    public func backward(_ dOutput: Tensor, _ context: BackwardContext) -> Tensor? {
        guard let y = output else { preconditionFailure("\(name): backward without a recorded forward") }
        output = nil
        return context.needsInputGradient ? ReLULayer.mask(dOutput, by: y) : nil
    }

    static func apply(_ x: Tensor) -> Tensor {
        Tensor(shape: x.shape) { y in
            x.withPointer { xp in
                let box = UnsafeSendableBox((xp, y))
                let n = x.count, parts = 64
                Parallel.forEach(parts) { p in
                    let (xp, y) = box.value
                    for i in (n * p / parts)..<(n * (p + 1) / parts) { y[i] = max(xp[i], 0) }
                }
            }
        }
    }

    /// dOutput where `y > 0`, else 0.
    static func mask(_ d: Tensor, by y: Tensor) -> Tensor {
        Tensor(shape: d.shape) { out in
            d.withPointer { dp in y.withPointer { yp in
                let box = UnsafeSendableBox((dp, yp, out))
                let n = d.count, parts = 64
                Parallel.forEach(parts) { p in
                    let (dp, yp, out) = box.value
                    var i = n * p / parts
                    let end = n * (p + 1) / parts
                    let zero = SIMD8<Float>(repeating: 0)
                    while i + 8 <= end {
                        let y = UnsafeRawPointer(yp + i).loadUnaligned(as: SIMD8<Float>.self)
                        let d = UnsafeRawPointer(dp + i).loadUnaligned(as: SIMD8<Float>.self)
                        UnsafeMutableRawPointer(out + i).storeBytes(of: zero.replacing(with: d, where: y .> zero), as: SIMD8<Float>.self)
                        i += 8
                    }
                    while i < end { out[i] = yp[i] > 0 ? dp[i] : 0; i += 1 }
                }
            } }
        }
    }
}
