/// The job object's `metrics`: `latest` (the newest epoch), `best` (the newest `best` event; without
/// one, the final report's `{"metric", "value", "global_epoch"}`), and from the `test` event
/// `test_loss`, `test_accuracy`, `tta_loss`, `tta_accuracy` (when measured), `stop_reason` and
/// `restored_best`. Empty until the first epoch ends.
public struct JobMetricsView: Sendable, Equatable, Encodable {
    public var state: JobTrainingState

    public init(_ state: JobTrainingState) { self.state = state }

    enum CodingKeys: String, CodingKey {
        case latest, best, testLoss = "test_loss", testAccuracy = "test_accuracy", ttaLoss = "tta_loss",
             ttaAccuracy = "tta_accuracy", stopReason = "stop_reason", restoredBest = "restored_best"
    }

    enum ReportedBestKeys: String, CodingKey { case metric, value, globalEpoch = "global_epoch" }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(state.latest, forKey: .latest)
        if let best = state.best {
            try c.encode(best, forKey: .best)
        } else if let test = state.test {
            var reported = c.nestedContainer(keyedBy: ReportedBestKeys.self, forKey: .best)
            try reported.encode(test.bestMetric, forKey: .metric)
            try reported.encodeMeasured(test.bestValue, forKey: .value)
            try reported.encode(test.bestEpoch, forKey: .globalEpoch)
        }
        guard let test = state.test else { return }
        if let split = test.test {
            try c.encodeMeasured(split.loss, forKey: .testLoss)
            try c.encodeMeasured(split.accuracy, forKey: .testAccuracy)
        }
        if let tta = test.tta {
            try c.encodeMeasured(tta.loss, forKey: .ttaLoss)
            try c.encodeMeasured(tta.accuracy, forKey: .ttaAccuracy)
        }
        try c.encode(test.stopReason, forKey: .stopReason)
        try c.encode(test.restoredBest, forKey: .restoredBest)
    }
}
