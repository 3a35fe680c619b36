/// `test`: the job's end. `{"best_metric", "best_value", "best_epoch", "restored_best", "stop_reason",
/// "epochs"}` always (null where unknown); `test_loss`, `test_accuracy`, `count`, `per_class_accuracy`
/// when the job has a test split; `tta_loss`, `tta_accuracy` when it also asked for test-time
/// augmentation; `confusion_matrix` (`ConfusionMatrix`) when the evaluation counted one; `split`
/// (`test`, `validation` or `train`) for an `evaluate` job, whose figures are of that split.
public struct TestEvent: Sendable, Equatable, Codable {
    /// The final weights on the test split.
    public struct Split: Sendable, Equatable {
        public var loss: Double?
        public var accuracy: Double?
        public var count: Int
        /// Class name → accuracy.
        public var perClassAccuracy: [String: Double?]
        /// Which class each class's images were predicted as (events stored before it have none).
        public var confusionMatrix: ConfusionMatrix?

        public init(loss: Double?, accuracy: Double?, count: Int, perClassAccuracy: [String: Double?],
                    confusionMatrix: ConfusionMatrix? = nil) {
            self.loss = loss
            self.accuracy = accuracy
            self.count = count
            self.perClassAccuracy = perClassAccuracy
            self.confusionMatrix = confusionMatrix
        }
    }

    /// The same with test-time augmentation.
    public struct Augmented: Sendable, Equatable {
        public var loss: Double?
        public var accuracy: Double?

        public init(loss: Double?, accuracy: Double?) {
            self.loss = loss
            self.accuracy = accuracy
        }
    }

    public var test: Split?
    public var tta: Augmented?
    /// The tracked metric, its best value and the 1-based job epoch it came from.
    public var bestMetric: String
    public var bestValue: Double?
    public var bestEpoch: Int?
    public var restoredBest: Bool
    /// Null when the job ran all its epochs.
    public var stopReason: StopReason?
    /// Epochs trained over the job.
    public var epochs: Int
    /// The split an `evaluate` job measured; nil for a training job's final test.
    public var split: String?

    public init(test: Split?, tta: Augmented?, bestMetric: String, bestValue: Double?, bestEpoch: Int?,
                restoredBest: Bool, stopReason: StopReason?, epochs: Int, split: String? = nil) {
        self.test = test
        self.tta = tta
        self.bestMetric = bestMetric
        self.bestValue = bestValue
        self.bestEpoch = bestEpoch
        self.restoredBest = restoredBest
        self.stopReason = stopReason
        self.epochs = epochs
        self.split = split
    }

    enum CodingKeys: String, CodingKey {
        case testLoss = "test_loss", testAccuracy = "test_accuracy", perClassAccuracy = "per_class_accuracy",
             confusionMatrix = "confusion_matrix", count, ttaLoss = "tta_loss", ttaAccuracy = "tta_accuracy", bestMetric = "best_metric",
             bestValue = "best_value", bestEpoch = "best_epoch", restoredBest = "restored_best",
             stopReason = "stop_reason", epochs, split
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if c.contains(.count) || c.contains(.testLoss) {
            test = Split(loss: try c.measured(.testLoss), accuracy: try c.measured(.testAccuracy),
                         count: try c.added(.count, default: 0), perClassAccuracy: try c.measuredMap(.perClassAccuracy),
                         confusionMatrix: try c.decodeIfPresent(ConfusionMatrix.self, forKey: .confusionMatrix))
        }
        if c.contains(.ttaLoss) {
            tta = Augmented(loss: try c.measured(.ttaLoss), accuracy: try c.measured(.ttaAccuracy))
        }
        bestMetric = try c.decode(String.self, forKey: .bestMetric)
        bestValue = try c.measured(.bestValue)
        bestEpoch = try c.decodeIfPresent(Int.self, forKey: .bestEpoch)
        restoredBest = try c.added(.restoredBest, default: false)
        stopReason = try c.decodeIfPresent(StopReason.self, forKey: .stopReason)
        epochs = try c.added(.epochs, default: 0)
        split = try c.decodeIfPresent(String.self, forKey: .split)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if let test {
            try c.encodeMeasured(test.loss, forKey: .testLoss)
            try c.encodeMeasured(test.accuracy, forKey: .testAccuracy)
            try c.encode(test.count, forKey: .count)
            try c.encodeMeasured(test.perClassAccuracy, forKey: .perClassAccuracy)
            try c.encodeIfPresent(test.confusionMatrix, forKey: .confusionMatrix)
        }
        if let tta {
            try c.encodeMeasured(tta.loss, forKey: .ttaLoss)
            try c.encodeMeasured(tta.accuracy, forKey: .ttaAccuracy)
        }
        try c.encode(bestMetric, forKey: .bestMetric)
        try c.encodeMeasured(bestValue, forKey: .bestValue)
        try c.encode(bestEpoch, forKey: .bestEpoch)
        try c.encode(restoredBest, forKey: .restoredBest)
        try c.encode(stopReason, forKey: .stopReason)
        try c.encode(epochs, forKey: .epochs)
        try c.encodeIfPresent(split, forKey: .split)
    }
}

/// `confusion_matrix` of a `test` event: `counts[i][j]` is how many test images of class
/// `classes[i]` the evaluated weights predicted as `classes[j]` (rows: the true class, in label order).
public struct ConfusionMatrix: Sendable, Equatable, Codable {
    public var classes: [String]
    public var counts: [[Int]]

    public init(classes: [String], counts: [[Int]]) {
        self.classes = classes
        self.counts = counts
    }
}
