/// A finished job's `result` (stored with its final status, shown in the job object): `epochs`,
/// `best_metric`, `best_value`, `best_epoch`, `restored_best`, `stop_reason` (null where unknown),
/// `test_loss` / `test_accuracy` and `tta_loss` / `tta_accuracy` when measured and finite, an
/// `lr_find` job's curve in the `lr_find` event's form, and an `evaluate` job's `evaluation`
/// (`EvaluationView`).
public struct JobResultView: Sendable, Equatable, Encodable {
    public var epochs: Int
    public var bestMetric: String
    public var bestValue: Double?
    public var bestEpoch: Int?
    public var restoredBest: Bool
    public var stopReason: StopReason?
    /// The test split's loss and accuracy; left out unless the loss is finite.
    public var test: (loss: Double, accuracy: Double)?
    public var tta: (loss: Double, accuracy: Double)?
    public var lrFind: LRFindEvent?
    public var evaluation: EvaluationView?

    public init(epochs: Int, bestMetric: String, bestValue: Double?, bestEpoch: Int?, restoredBest: Bool,
                stopReason: StopReason?, test: (loss: Double, accuracy: Double)?, tta: (loss: Double, accuracy: Double)?,
                lrFind: LRFindEvent?, evaluation: EvaluationView? = nil) {
        self.epochs = epochs
        self.bestMetric = bestMetric
        self.bestValue = bestValue
        self.bestEpoch = bestEpoch
        self.restoredBest = restoredBest
        self.stopReason = stopReason
        self.test = test
        self.tta = tta
        self.lrFind = lrFind
        self.evaluation = evaluation
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.epochs == b.epochs && a.bestMetric == b.bestMetric && a.bestValue == b.bestValue && a.bestEpoch == b.bestEpoch
            && a.restoredBest == b.restoredBest && a.stopReason == b.stopReason
            && a.test.map { [$0.loss, $0.accuracy] } == b.test.map { [$0.loss, $0.accuracy] }
            && a.tta.map { [$0.loss, $0.accuracy] } == b.tta.map { [$0.loss, $0.accuracy] } && a.lrFind == b.lrFind
            && a.evaluation == b.evaluation
    }

    enum CodingKeys: String, CodingKey {
        case epochs, bestMetric = "best_metric", bestValue = "best_value", bestEpoch = "best_epoch",
             restoredBest = "restored_best", stopReason = "stop_reason", testLoss = "test_loss",
             testAccuracy = "test_accuracy", ttaLoss = "tta_loss", ttaAccuracy = "tta_accuracy", lrFind = "lr_find", evaluation
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(bestMetric, forKey: .bestMetric)
        try c.encode(bestValue.flatMap { $0.isFinite ? $0 : nil }, forKey: .bestValue)
        try c.encode(bestEpoch, forKey: .bestEpoch)
        try c.encode(restoredBest, forKey: .restoredBest)
        try c.encode(stopReason, forKey: .stopReason)
        if let test, test.loss.isFinite {
            try c.encode(test.loss, forKey: .testLoss)
            try c.encode(test.accuracy, forKey: .testAccuracy)
        }
        if let tta, tta.loss.isFinite {
            try c.encode(tta.loss, forKey: .ttaLoss)
            try c.encode(tta.accuracy, forKey: .ttaAccuracy)
        }
        try c.encodeIfPresent(lrFind, forKey: .lrFind)
        try c.encodeIfPresent(evaluation, forKey: .evaluation)
    }
}
