import Tensor

/// `torch.flatten(x, 1)`: per image, features in (C,H,W) order.
///
/// forward:  x (C,N,H,W) → y (N, C·H·W)   (a transpose, since feature maps are channel-major)
/// backward: dOutput (N, C·H·W) → dInput (C,N,H,W)
public final class FlattenLayer: Layer {
    public let name: String
    private var inputShape: [Int]?

    public init(name: String) { self.name = name }

    public var parameters: [Parameter] { [] }

    public func outputShape(for s: [Int]) throws(ArchitectureError) -> [Int] { [s.reduce(1, *)] }

    public func forward(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        guard x.rank == 4 else { return x }
        inputShape = context.recordForBackward ? x.shape : nil
        let (c, n, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        return Layout.swapLeadingAxes(x).reshaped([n, c * plane])
    }

    public func backward(_ dOutput: Tensor, _ context: BackwardContext) -> Tensor? {
        guard context.needsInputGradient else { return nil }
        guard let s = inputShape else { return dOutput }
        inputShape = nil
        return Layout.swapLeadingAxes(dOutput.reshaped([s[1], s[0], s[2], s[3]]))
    }
}
