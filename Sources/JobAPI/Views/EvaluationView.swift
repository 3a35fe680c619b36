/// `result.evaluation` of a finished `evaluate` job: the split it ran on, its image count, loss,
/// accuracy, per-class accuracy (class name → accuracy, null for a class without images), the
/// confusion matrix (rows: the true class) and, with `tta`, `tta_loss` / `tta_accuracy`. Non-finite
/// figures are null.
public struct EvaluationView: Sendable, Equatable, Encodable {
    public var split: String
    public var count: Int
    public var loss: Double
    public var accuracy: Double
    public var perClassAccuracy: [String: Double?]
    public var confusionMatrix: ConfusionMatrix?
    public var tta: (loss: Double, accuracy: Double)?

    public init(split: String, count: Int, loss: Double, accuracy: Double, perClassAccuracy: [String: Double?],
                confusionMatrix: ConfusionMatrix?, tta: (loss: Double, accuracy: Double)?) {
        self.split = split
        self.count = count
        self.loss = loss
        self.accuracy = accuracy
        self.perClassAccuracy = perClassAccuracy
        self.confusionMatrix = confusionMatrix
        self.tta = tta
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.split == b.split && a.count == b.count && a.loss == b.loss && a.accuracy == b.accuracy
            && a.perClassAccuracy == b.perClassAccuracy && a.confusionMatrix == b.confusionMatrix
            && a.tta.map { [$0.loss, $0.accuracy] } == b.tta.map { [$0.loss, $0.accuracy] }
    }

    enum CodingKeys: String, CodingKey {
        case split, count, loss, accuracy, perClassAccuracy = "per_class_accuracy", confusionMatrix = "confusion_matrix",
             ttaLoss = "tta_loss", ttaAccuracy = "tta_accuracy"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(split, forKey: .split)
        try c.encode(count, forKey: .count)
        try c.encodeMeasured(loss, forKey: .loss)
        try c.encodeMeasured(accuracy, forKey: .accuracy)
        try c.encodeMeasured(perClassAccuracy, forKey: .perClassAccuracy)
        try c.encodeIfPresent(confusionMatrix, forKey: .confusionMatrix)
        if let tta {
            try c.encodeMeasured(tta.loss, forKey: .ttaLoss)
            try c.encodeMeasured(tta.accuracy, forKey: .ttaAccuracy)
        }
    }
}
