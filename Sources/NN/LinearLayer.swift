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
                // Output features split over workers (OpenBLAS itself runs single-threaded).
                let (xP, wP, yP) = (UnsafeSendableBox(xp), UnsafeSendableBox(wp), UnsafeSendableBox(y))
                let beta: Float = bias == nil ? 0 : 1
                Self.split(outFeatures) { lo, hi in
                    BLAS.sgemm(transB: true, m: n, n: hi - lo, k: inFeatures, a: xP.value, lda: inFeatures, b: wP.value + lo * inFeatures,
                               ldb: inFeatures, beta: beta, c: yP.value + lo, ldc: outFeatures)
                }
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
                    let (dyP, xP, dwP) = (UnsafeSendableBox(dyp), UnsafeSendableBox(xp), UnsafeSendableBox(dw))
                    Self.split(outFeatures) { lo, hi in
                        BLAS.sgemm(transA: true, m: hi - lo, n: inFeatures, k: n, a: dyP.value + lo, lda: outFeatures,
                                   b: xP.value, ldb: inFeatures, c: dwP.value + lo * inFeatures, ldc: inFeatures)
                    }
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
                let (dyP, wP, dxP) = (UnsafeSendableBox(dyp), UnsafeSendableBox(wp), UnsafeSendableBox(dx))
                Self.split(inFeatures) { lo, hi in
                    BLAS.sgemm(m: n, n: hi - lo, k: outFeatures, a: dyP.value, lda: outFeatures, b: wP.value + lo,
                               ldb: inFeatures, c: dxP.value + lo, ldc: inFeatures)
                }
            } }
        }
    }

    /// Runs `body(lo, hi)` over column ranges of `count`, one per worker; small layers stay on the
    /// calling thread (a 64→10 head is not worth a thread hand-off). Each output column has one writer.
    private static func split(_ count: Int, _ body: (Int, Int) -> Void) {
        let chunk = 64
        Parallel.forEachWorker((count + chunk - 1) / chunk) { _, range in
            body(range.lowerBound * chunk, min(count, range.upperBound * chunk))
        }
    }
}
