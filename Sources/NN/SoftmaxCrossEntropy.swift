import Tensor

/// Softmax cross-entropy with mean reduction and optional label smoothing, as
/// `torch.nn.functional.cross_entropy(logits, y, label_smoothing: ε)`:
/// `loss = mean_i[(1−ε)·(lse_i − z_i,y) + ε·(lse_i − mean_k z_i,k)]`,
/// `dLogits = (softmax − ((1−ε)·onehot + ε/K)) / N`.
public enum SoftmaxCrossEntropy {
    public enum Failure: Error, Equatable {
        case labelCountMismatch(logits: Int, labels: Int)
        case labelOutOfRange(index: Int, label: Int, classes: Int)
    }

    /// logits (N, K), labels N class indices in 0..<K → mean loss and dLogits (N, K).
    public static func compute(logits: Tensor, labels: [Int], labelSmoothing: Float = 0) throws(Failure)
        -> (loss: Float, dLogits: Tensor)
    {
        let (n, k) = (logits.shape[0], logits.shape[1])
        guard labels.count == n else { throw .labelCountMismatch(logits: n, labels: labels.count) }
        for (i, y) in labels.enumerated() where y < 0 || y >= k {
            throw .labelOutOfRange(index: i, label: y, classes: k)
        }
        var d = Tensor.zeros([n, k])
        var total: Double = 0
        let eps = labelSmoothing
        for i in 0..<n {
            let row = Array(logits.storage[(i * k)..<((i + 1) * k)])
            let mx = row.max()!
            var sumExp: Double = 0
            for z in row { sumExp += Double(expf(z - mx)) }
            let lse = Double(mx) + log(sumExp)
            let mean = row.reduce(0.0) { $0 + Double($1) } / Double(k)
            total += Double(1 - eps) * (lse - Double(row[labels[i]])) + Double(eps) * (lse - mean)
            for j in 0..<k {
                let p = Float(Double(expf(row[j] - mx)) / sumExp)
                let target = (j == labels[i] ? 1 - eps : 0) + eps / Float(k)
                d.storage[i * k + j] = (p - target) / Float(n)
            }
        }
        return (Float(total / Double(n)), d)
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
