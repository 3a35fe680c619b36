// The payload of each `TrainingEvent` case, field for field as docs/api.md ("Event types") lists it.
// Numbers that may be NaN or infinite are optional and go out as null (JSON has neither).

public struct StatusEvent: Sendable, Equatable, Codable {
    public var status: String
    public var previous: String?
    /// On a claim: which start this is, and whether it resumes from a checkpoint.
    public var attempt: Int?
    public var resume: Bool?
    public var error: String?
}

public struct RunEvent: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Equatable, Codable {
        case started, resumed, succeeded, stopped, cancelled, interrupted
    }
    public var status: Status
    public var globalEpoch: Int
    public var reason: StopReason?

    enum CodingKeys: String, CodingKey { case status, globalEpoch = "global_epoch", reason }
}

public struct PhaseEvent: Sendable, Equatable, Codable {
    public enum Change: String, Sendable, Equatable, Codable { case started, resumed, ended }
    /// Why a phase ended: its epochs ran out, its early stopping fired, or the job stopped.
    public enum EndReason: String, Sendable, Equatable, Codable {
        case completed
        case earlyStopping = "early_stopping"
        case userStop = "user_stop"
        case nonFiniteLoss = "non_finite_loss"
    }
    public var event: Change
    public var phase: String
    public var phaseIndex: Int
    public var epochs: Int
    public var openEnded: Bool
    public var trainable: [String]
    public var peakLRs: [String: Double?]
    /// On `ended` only.
    public var reason: EndReason?
    public var restoredBest: Bool?

    enum CodingKeys: String, CodingKey {
        case event, phase, phaseIndex = "phase_index", epochs, openEnded = "open_ended", trainable,
             peakLRs = "peak_lrs", reason, restoredBest = "restored_best"
    }
}

public struct EpochEvent: Sendable, Equatable, Codable {
    public var phase: String
    public var phaseIndex: Int
    /// 1-based within the phase, and planned epochs of the phase.
    public var epoch: Int
    public var epochs: Int
    /// 1-based over the job; optimizer steps so far over the job.
    public var globalEpoch: Int
    public var globalStep: Int
    public var trainLoss: Double?
    public var valLoss: Double?
    public var valAccuracy: Double?
    public var perClassAccuracy: [String: Double?]
    /// Group → LR of the last step, and group → schedule peak.
    public var lrs: [String: Double?]
    public var peakLRs: [String: Double?]
    public var trainable: [String]
    public var seconds: Double
    public var trainSeconds: Double
    public var evalSeconds: Double
    public var cacheSeconds: Double
    public var loaderWaitSeconds: Double
    public var imagesPerSecond: Double?
    public var fromCache: Bool
    public var isBest: Bool
    public var lrReduced: Bool

    enum CodingKeys: String, CodingKey {
        case phase, phaseIndex = "phase_index", epoch, epochs, globalEpoch = "global_epoch",
             globalStep = "global_step", trainLoss = "train_loss", valLoss = "val_loss",
             valAccuracy = "val_accuracy", perClassAccuracy = "per_class_accuracy", lrs, peakLRs = "peak_lrs",
             trainable, seconds, trainSeconds = "train_seconds", evalSeconds = "eval_seconds",
             cacheSeconds = "cache_seconds", loaderWaitSeconds = "loader_wait_seconds",
             imagesPerSecond = "images_per_second", fromCache = "from_cache", isBest = "is_best",
             lrReduced = "lr_reduced"
    }
}

/// The epoch's measured metrics (`train_loss`, `val_loss`, `val_accuracy`, absent when not measured)
/// with where the epoch sits. On the wire the metrics sit beside `phase`/`epoch`/`global_epoch` (flat).
public struct BestEvent: Sendable, Equatable, Codable {
    public var phase: String
    public var epoch: Int
    public var globalEpoch: Int
    public var metrics: [String: Double]
}

public struct CheckpointEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable { case best, epoch }
    public var kind: Kind
    public var phase: String
    public var phaseIndex: Int
    public var epoch: Int
    public var globalEpoch: Int
    public var metrics: [String: Double?]
    public var bytes: Int

    enum CodingKeys: String, CodingKey {
        case kind, phase, phaseIndex = "phase_index", epoch, globalEpoch = "global_epoch", metrics, bytes
    }
}

public struct ControlEvent: Sendable, Equatable, Codable {
    /// The command's id; nil for a change the run made itself.
    public var id: String?
    /// A control action (`unfreeze`, `lr`, ...) or `gradual_unfreeze` / `auto_unfreeze`.
    public var action: String
    public var ok: Bool
    public var problems: [SpecProblem]?
    public var error: String?
    /// Groups a self-made change unfroze.
    public var groups: [String]?
    /// The state afterwards (unchanged when refused).
    public var trainable: [String]
    public var trainableLayers: [String]
    public var peakLRs: [String: Double?]
    public var lrs: [String: Double?]
    public var paused: Bool
    public var fromCache: Bool

    enum CodingKeys: String, CodingKey {
        case id, action, ok, problems, error, groups, trainable, trainableLayers = "trainable_layers",
             peakLRs = "peak_lrs", lrs, paused, fromCache = "from_cache"
    }
}

public struct AdviceEvent: Sendable, Equatable, Codable {
    /// `underfitting`, `overfitting`, `head_untrained`, `diverging`.
    public var code: String
    public var message: String
    public var globalEpoch: Int

    enum CodingKeys: String, CodingKey { case code, message, globalEpoch = "global_epoch" }
}

public struct TestEvent: Sendable, Equatable, Codable {
    public var testLoss: Double?
    public var testAccuracy: Double?
    public var perClassAccuracy: [String: Double?]?
    public var count: Int?
    public var ttaLoss: Double?
    public var ttaAccuracy: Double?
    public var bestMetric: String
    public var bestValue: Double?
    public var bestEpoch: Int?
    public var restoredBest: Bool
    public var stopReason: StopReason?
    public var epochs: Int

    enum CodingKeys: String, CodingKey {
        case testLoss = "test_loss", testAccuracy = "test_accuracy", perClassAccuracy = "per_class_accuracy",
             count, ttaLoss = "tta_loss", ttaAccuracy = "tta_accuracy", bestMetric = "best_metric",
             bestValue = "best_value", bestEpoch = "best_epoch", restoredBest = "restored_best",
             stopReason = "stop_reason", epochs
    }
}

public struct LRFindEvent: Sendable, Equatable, Codable {
    public struct Suggestions: Sendable, Equatable, Codable {
        public var valley: Double?
        public var steep: Double?
        public var minimum: Double?
    }
    public var lrs: [Double?]
    public var losses: [Double?]
    /// `completed`, `diverged` or `nonFinite`.
    public var endedBy: String
    public var suggestions: Suggestions?

    enum CodingKeys: String, CodingKey { case lrs, losses, endedBy = "ended_by", suggestions }
}
