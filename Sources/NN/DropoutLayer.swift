import Tensor

/// Inverted dropout: in training, zero each element with probability `p` and scale the rest by
/// 1/(1−p); identity in inference. Masks come from the forward context's seeded generator, so a
/// run is reproducible for a given seed.
///
/// forward:  x → y (same shape);  backward: dOutput → dInput = dOutput · mask/(1−p)
public final class DropoutLayer: Layer {
    public let name: String
    public let p: Float
    private var mask: [Float]?

    public init(name: String, p: Float = 0.5) {
        self.name = name
        self.p = p
    }

    public var parameters: [Parameter] { [] }

    public func outputShape(for input: [Int]) throws(ArchitectureError) -> [Int] {
        guard p >= 0, p < 1 else { throw .invalidLayer(layer: name, reason: "dropout p must be in [0, 1), got \(p)") }
        return input
    }

    public func forward(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        guard context.training, p > 0 else {
            mask = nil
            return x
        }
        let keep = 1 / (1 - p)
        var m = [Float](repeating: 0, count: x.count)
        for i in 0..<m.count { m[i] = context.generator.nextUnitFloat() >= p ? keep : 0 }
        var y = x
        for i in 0..<m.count { y.storage[i] *= m[i] }
        mask = context.recordForBackward ? m : nil
        return y
    }

    public func backward(_ dOutput: Tensor, _ context: BackwardContext) -> Tensor? {
        guard context.needsInputGradient else { return nil }
        guard let m = mask else { return dOutput }
        var dx = dOutput
        for i in 0..<m.count { dx.storage[i] *= m[i] }
        mask = nil
        return dx
    }
}
