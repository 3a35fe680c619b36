import JobAPI

/// How a run ended. The daemon maps it to the job's status.
public enum JobRunOutcome: Sendable {
    /// Every phase ran (possibly cut by a phase's own early stopping).
    case succeeded(FinalReport)
    /// Ended early and kept the best weights: job-level early stopping (`stopReason` `.earlyStopping`),
    /// the user's `stop` (`.userStop`), or a training loss that became NaN/infinite (`.nonFiniteLoss`).
    case stopped(FinalReport)
    /// The user's `cancel`: nothing evaluated, no final weights.
    case cancelled
    /// `shouldInterrupt` was seen: resume later from the last epoch checkpoint.
    case interrupted
    /// The runner's codes: `checkpointFailed`, `invalidResume`, `invalidData`, `engineError` (the
    /// daemon adds its own for a run it could not prepare).
    case failed(code: FailureCode, message: String)
}

/// What a finished (or stopped) run produced.
public struct FinalReport: Sendable {
    /// Epochs trained over the whole job.
    public var epochs: Int
    /// nil when the job ran to its end.
    public var stopReason: StopReason?
    /// The job's tracked metric (job early stopping's monitor, else val_loss, else train_loss), its best
    /// value and the 1-based job epoch it came from; nil when no epoch completed.
    public var bestMetric: String
    public var bestValue: Double?
    public var bestEpoch: Int?
    /// Whether the final weights are the best epoch's (restore_best) rather than the last epoch's.
    public var restoredBest: Bool
    /// Every completed epoch, oldest first (`EpochMetrics.epoch` is 0-based over the job).
    public var history: [EpochMetrics]
    /// Test split evaluation of the final weights; nil without a test split.
    public var test: EvaluationResult?
    /// The same with test-time augmentation, when the input asked for it.
    public var testTTA: EvaluationResult?
    /// Final weights as a `WeightsFile` (what to register as the job's model).
    public var weights: [UInt8]
    /// Set for `lr_find` jobs.
    public var lrFind: LRFindResult?
    /// Set for `evaluate` jobs: the split `test` (and `testTTA`) measured, and the class names of
    /// its per-class figures (for `result.evaluation`).
    public var evaluatedSplit: EvaluateSpec.Split?
    public var classNames: [String] = []

    public init(epochs: Int, stopReason: StopReason?, bestMetric: String, bestValue: Double?, bestEpoch: Int?,
                restoredBest: Bool, history: [EpochMetrics], test: EvaluationResult?, testTTA: EvaluationResult?,
                weights: [UInt8], lrFind: LRFindResult?) {
        self.epochs = epochs
        self.stopReason = stopReason
        self.bestMetric = bestMetric
        self.bestValue = bestValue
        self.bestEpoch = bestEpoch
        self.restoredBest = restoredBest
        self.history = history
        self.test = test
        self.testTTA = testTTA
        self.weights = weights
        self.lrFind = lrFind
    }
}

/// An LR-finder sweep's result (the `lr_find` event carries it, `JobRunner.emitLRFind`).
public struct LRFindResult: Sendable, Equatable, Codable {
    /// LR of each batch run and the smoothed loss after it.
    public var lrs: [Double]
    public var losses: [Double]
    /// `completed`, `diverged` or `nonFinite` (`LRFinder.Decision`).
    public var endedBy: String
    /// nil when the sweep was too short to suggest anything.
    public var suggestions: LRSuggestions?

    public init(lrs: [Double], losses: [Double], endedBy: String, suggestions: LRSuggestions?) {
        self.lrs = lrs
        self.losses = losses
        self.endedBy = endedBy
        self.suggestions = suggestions
    }
}

extension FinalReport {
    /// The job's `result` as stored with its final status (`JobResultView`).
    public var resultView: JobResultView {
        JobResultView(epochs: epochs, bestMetric: bestMetric, bestValue: bestValue, bestEpoch: bestEpoch,
                      restoredBest: restoredBest, stopReason: stopReason,
                      test: test.map { ($0.loss, $0.accuracy) }, tta: testTTA.map { ($0.loss, $0.accuracy) },
                      lrFind: lrFind.map(\.event), evaluation: evaluation)
    }

    /// An evaluate job's figures as `result.evaluation` shows them.
    var evaluation: EvaluationView? {
        guard let split = evaluatedSplit, let test else { return nil }
        return EvaluationView(split: split.rawValue, count: test.count, loss: test.loss, accuracy: test.accuracy,
                              perClassAccuracy: Dictionary(zip(classNames, test.perClassAccuracy), uniquingKeysWith: { first, _ in first }),
                              confusionMatrix: test.confusion.map { ConfusionMatrix(classes: classNames, counts: $0) },
                              tta: testTTA.map { ($0.loss, $0.accuracy) })
    }

    public func resultJSON() -> String {
        (try? Wire.encode(resultView)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

extension LRFindResult {
    /// The sweep as the `lr_find` event (and a finished job's `result.lr_find`) carries it.
    public var event: LRFindEvent {
        LRFindEvent(lrs: lrs, losses: losses, endedBy: endedBy,
                    suggestions: suggestions.map { .init(valley: $0.valley, steep: $0.steep, minimum: $0.minimum) })
    }
}
