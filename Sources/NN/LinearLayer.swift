import BLAS
import Tensor

/// Fully connected layer, PyTorch's `Linear`: y = x·Wᵀ + b.
///
/// forward:  x (N, in) → y (N, out); weight (out, in), bias (out)
/// backward: dOutput (N, out) → dInput (N, in) = dOutput·W; dWeight = dOutputᵀ·x; dBias = Σₙ dOutput
public final class LinearLayer: Layer {
    public let name: String
    public let inFeatures: Int, outFeatures: Int
    public let weight: Parameter
    public let bias: Parameter?
    private var input: Tensor?

    public init(name: String, inFeatures: Int, outFeatures: Int, bias: Bool = true, generator: inout SeededGenerator) {
        self.name = name
        (self.inFeatures, self.outFeatures) = (inFeatures, outFeatures)
        weight = Parameter(name: name + ".weight",
                           value: Initializer.uniform([outFeatures, inFeatures], fanIn: inFeatures, &generator))
        self.bias = bias
            ? Parameter(name: name + ".bias", value: Initializer.uniform([outFeatures], fanIn: inFeatures, &generator)) : nil
    }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    public func outputShape(for s: [Int]) throws(ArchitectureError) -> [Int] {
        guard s == [inFeatures] else { throw .shapeMismatch(layer: name, expected: "[\(inFeatures)]", got: "\(s)") }
        return [outFeatures]
    }

    public func forward(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        let n = x.shape[0]
        input = context.recordForBackward ? x : nil
        return Tensor(shape: [n, outFeatures]) { y in
            if let bias {
                for r in 0..<n { (y + r * outFeatures).update(from: bias.value.storage, count: outFeatures) }
            }
            x.withPointer { xp in weight.value.withPointer { wp in
                BLAS.sgemm(transB: true, m: n, n: outFeatures, k: inFeatures, a: xp, lda: inFeatures, b: wp,
                           ldb: inFeatures, beta: bias == nil ? 0 : 1, c: y, ldc: outFeatures)
            } }
        }
    }

    public func backward(_ dOutput: Tensor, _ context: BackwardContext) -> Tensor? {
        guard let x = input else { preconditionFailure("\(name): backward without a recorded forward") }
        input = nil
        let n = x.shape[0]
        if weight.trainable {
            weight.grad = Tensor(shape: weight.value.shape) { dw in
                dOutput.withPointer { dyp in x.withPointer { xp in
                    BLAS.sgemm(transA: true, m: outFeatures, n: inFeatures, k: n, a: dyp, lda: outFeatures,
                               b: xp, ldb: inFeatures, c: dw, ldc: inFeatures)
                } }
            }
        } else {
            weight.grad = nil
        }
        if let bias {
            if bias.trainable {
                var db = [Float](repeating: 0, count: outFeatures)
                for r in 0..<n { for j in 0..<outFeatures { db[j] += dOutput.storage[r * outFeatures + j] } }
                bias.grad = Tensor(shape: [outFeatures], storage: db)
            } else {
                bias.grad = nil
            }
        }
        guard context.needsInputGradient else { return nil }
        return Tensor(shape: [n, inFeatures]) { dx in
            dOutput.withPointer { dyp in weight.value.withPointer { wp in
                BLAS.sgemm(m: n, n: inFeatures, k: outFeatures, a: dyp, lda: outFeatures, b: wp, ldb: inFeatures,
                           c: dx, ldc: inFeatures)
            } }
        }
    }
}
