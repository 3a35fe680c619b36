/// Loss and accuracy of the model on one split (inference mode, no augmentation).
public struct EvaluationResult: Sendable, Equatable, Codable {
    /// Mean cross-entropy over every image.
    public var loss: Double
    /// Fraction of images whose arg-max logit is their label.
    public var accuracy: Double
    /// Accuracy per class in label order; nil for a class with no image in the split.
    public var perClassAccuracy: [Double?]
    public var count: Int
    /// `confusion[true label][predicted label]`: image counts (the test event's `confusion_matrix`).
    public var confusion: [[Int]]?

    public init(loss: Double, accuracy: Double, perClassAccuracy: [Double?], count: Int, confusion: [[Int]]? = nil) {
        self.loss = loss
        self.accuracy = accuracy
        self.perClassAccuracy = perClassAccuracy
        self.count = count
        self.confusion = confusion
    }
}

/// Sums that become an `EvaluationResult`; batches are added in order, so the result does not depend
/// on the batch size beyond float rounding.
struct EvaluationTally {
    var lossSum = 0.0
    var correct = 0
    var count = 0
    var classCorrect: [Int]
    var classCount: [Int]
    var confusion: [[Int]]

    init(classes: Int) {
        classCorrect = Array(repeating: 0, count: classes)
        classCount = classCorrect
        confusion = Array(repeating: classCorrect, count: classes)
    }

    /// `logits` (N, classes) row-major; `batchLoss` the batch's mean loss.
    mutating func add(logits: [Float], labels: [Int], batchLoss: Double) {
        let k = classCorrect.count
        lossSum += batchLoss * Double(labels.count)
        count += labels.count
        for (i, y) in labels.enumerated() {
            var best = 0
            for j in 1..<k where logits[i * k + j] > logits[i * k + best] { best = j }
            classCount[y] += 1
            confusion[y][best] += 1
            if best == y {
                correct += 1
                classCorrect[y] += 1
            }
        }
    }

    var result: EvaluationResult {
        EvaluationResult(loss: count > 0 ? lossSum / Double(count) : .nan,
                         accuracy: count > 0 ? Double(correct) / Double(count) : .nan,
                         perClassAccuracy: zip(classCorrect, classCount).map { $1 > 0 ? Double($0) / Double($1) : nil },
                         count: count, confusion: confusion)
    }
}
