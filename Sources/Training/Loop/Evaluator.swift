import Data
import NN
import Tensor

/// Evaluates a model in inference mode: loss, accuracy and per-class accuracy on a split, plain or
/// with test-time augmentation. Holds no run state; `checkInterrupt` ends a long pass once the daemon
/// shuts down (it throws `RunInterrupted`).
struct Evaluator {
    let model: Model
    let normalization: Normalization
    /// Images per forward pass: inference keeps no activations for backward, so it can be larger
    /// than the training batch.
    let batchSize: Int
    let checkInterrupt: () throws -> Void

    /// `images` in inference mode; from the validation activations of `cached` when given (the frozen
    /// prefix is then skipped).
    func evaluate(_ images: LabeledImages, cached: ActivationCache?) throws -> EvaluationResult {
        var tally = EvaluationTally(classes: model.classes)
        if let cached, cached.validation.count == images.count * cached.perImage {
            var lo = 0
            while lo < images.count {
                try checkInterrupt()
                let hi = min(lo + batchSize, images.count)
                let logits = try model.forward(fromLayer: cached.layer, cached.batch(cached.validation, Array(lo..<hi)[...]), training: false)
                try tally.add(logits: logits, labels: Array(images.labels[lo..<hi]))
                lo = hi
            }
            return tally.result
        }
        let loader = try BatchLoader(images: images, normalization: normalization,
                                     configuration: .init(batchSize: batchSize, shuffle: false))
        while let batch = loader.next() {
            try checkInterrupt()
            let x = Tensor(shape: [batch.count, batch.channels, batch.height, batch.width], storage: batch.images)
            try tally.add(logits: model.forward(x, training: false), labels: batch.labels.map(Int.init))
        }
        return tally.result
    }

    /// Test-time augmentation: per image, softmax probabilities averaged over the views; the loss is
    /// the mean negative log of the averaged probability of the label.
    func evaluateTTA(_ images: LabeledImages, _ tta: TestTimeAugmentation) throws -> EvaluationResult {
        let assembler = try BatchAssembler(images: images, normalization: normalization)
        var tally = EvaluationTally(classes: model.classes)
        let k = model.classes
        var lo = 0
        while lo < images.count {
            try checkInterrupt()
            let hi = min(lo + batchSize, images.count)
            let probabilities = try assembler.views(indices: Array(lo..<hi)[...], tta: tta).map { batch in
                let x = Tensor(shape: [batch.count, batch.channels, batch.height, batch.width], storage: batch.images)
                return Self.softmax(try model.forward(x, training: false).storage, classes: k)
            }
            let mean = TestTimeAugmentation.average(probabilities)
            let labels = Array(images.labels[lo..<hi])
            var nll = 0.0
            for (i, y) in labels.enumerated() { nll -= log(Double(max(mean[i * k + y], .leastNormalMagnitude))) }
            tally.add(logits: mean, labels: labels, batchLoss: nll / Double(labels.count))
            lo = hi
        }
        return tally.result
    }

    /// Row-wise softmax of `(N, k)` logits.
    static func softmax(_ logits: [Float], classes k: Int) -> [Float] {
        var out = logits
        for row in 0..<(logits.count / k) {
            let slice = logits[(row * k)..<((row + 1) * k)]
            let m = slice.max()!
            var sum: Float = 0
            for j in 0..<k { out[row * k + j] = expf(logits[row * k + j] - m); sum += out[row * k + j] }
            for j in 0..<k { out[row * k + j] /= sum }
        }
        return out
    }
}

extension EvaluationTally {
    /// Adds a batch of logits `(N, classes)`, computing its mean cross-entropy.
    mutating func add(logits: Tensor, labels: [Int]) throws {
        let (loss, _) = try SoftmaxCrossEntropy.compute(logits: logits, labels: labels)
        add(logits: logits.storage, labels: labels, batchLoss: Double(loss))
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
