/// A job as `GET /v1/jobs/{id}` shows it (docs/api.md, "The job object"): the stored record, the spec
/// as posted, and the live part (`groups`, `metrics`, `lr_find`) from `JobTrainingState`.
public struct JobView: Encodable, Sendable, Equatable {
    public struct Failure: Encodable, Sendable, Equatable {
        public var code: String
        public var message: String

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    public var id: String
    public var name: String?
    public var status: String
    public var priority: Int
    /// The spec as posted (without `priority`); `{}` if the stored text cannot be read.
    public var spec: JSONValue
    public var modelID: String?
    public var attempts: Int
    public var crashes: Int
    /// Unix seconds.
    public var createdAt: Int
    public var startedAt: Int?
    public var finishedAt: Int?
    /// Seconds (to the millisecond) from submission to the first start, and running since then.
    public var queuedSeconds: Double
    public var runningSeconds: Double?
    public var training: JobTrainingState
    public var failure: Failure?
    /// The stored outcome of a finished job (`epochs`, `best_metric`, ..., the test figures).
    public var result: JSONValue?

    public init(id: String, name: String?, status: String, priority: Int, spec: JSONValue, modelID: String?,
                attempts: Int, crashes: Int, createdAt: Int, startedAt: Int?, finishedAt: Int?,
                queuedSeconds: Double, runningSeconds: Double?, training: JobTrainingState,
                failure: Failure?, result: JSONValue?) {
        self.id = id
        self.name = name
        self.status = status
        self.priority = priority
        self.spec = spec
        self.modelID = modelID
        self.attempts = attempts
        self.crashes = crashes
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.queuedSeconds = queuedSeconds
        self.runningSeconds = runningSeconds
        self.training = training
        self.failure = failure
        self.result = result
    }

    enum CodingKeys: String, CodingKey {
        case id, object, name, status, priority, model, modelID = "model_id", dataset, type, phase, epoch, step,
             attempts, crashes, createdAt = "created_at", startedAt = "started_at", finishedAt = "finished_at",
             spec, groups, metrics, lrFind = "lr_find", timings, error, result
    }
    enum TimingKeys: String, CodingKey { case queuedSeconds = "queued_seconds", runningSeconds = "running_seconds" }

    /// Fields the job object writes as `null` rather than leaving out (docs/api.md shows them so).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode("job", forKey: .object)
        try c.encode(name, forKey: .name)
        try c.encode(status, forKey: .status)
        try c.encode(priority, forKey: .priority)
        try c.encode(spec.field("model") ?? .null, forKey: .model)
        try c.encode(modelID, forKey: .modelID)
        try c.encode(spec.field("dataset") ?? .null, forKey: .dataset)
        try c.encode(spec.field("type") ?? .string("train"), forKey: .type)
        try c.encode(training.phase, forKey: .phase)
        try c.encode(training.epoch, forKey: .epoch)
        try c.encode(training.step, forKey: .step)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(crashes, forKey: .crashes)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(spec, forKey: .spec)
        try c.encode(training.groups.map(GroupWire.init), forKey: .groups)
        try c.encode(MetricsWire(training), forKey: .metrics)
        if let lrFind = training.lrFind { try c.encode(LRFindWire(lrFind), forKey: .lrFind) }
        var timings = c.nestedContainer(keyedBy: TimingKeys.self, forKey: .timings)
        try timings.encode(queuedSeconds, forKey: .queuedSeconds)
        try timings.encodeIfPresent(runningSeconds, forKey: .runningSeconds)
        try c.encode(failure, forKey: .error)
        try c.encodeIfPresent(result, forKey: .result)
    }
}

extension JSONValue {
    /// The value of `key` when this is an object.
    public func field(_ key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }
}

/// A group with `lr` and `peak_lr` written out as null when unknown.
private struct GroupWire: Encodable {
    let group: GroupView
    init(_ group: GroupView) { self.group = group }
    enum CodingKeys: String, CodingKey { case name, trainable, lr, peakLR = "peak_lr" }
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(group.name, forKey: .name)
        try c.encode(group.trainable, forKey: .trainable)
        try c.encode(group.lr, forKey: .lr)
        try c.encode(group.peakLR, forKey: .peakLR)
    }
}

/// `metrics`: `latest` (part of the newest epoch), `best` (flat: the metrics beside phase and epochs),
/// and once tested the final figures; before any best checkpoint, `best` is the test's summary.
private struct MetricsWire: Encodable {
    let state: JobTrainingState
    init(_ state: JobTrainingState) { self.state = state }

    enum CodingKeys: String, CodingKey {
        case latest, best, testLoss = "test_loss", testAccuracy = "test_accuracy", ttaLoss = "tta_loss",
             ttaAccuracy = "tta_accuracy", stopReason = "stop_reason", restoredBest = "restored_best"
    }
    enum LatestKeys: String, CodingKey {
        case phase, epoch, globalEpoch = "global_epoch", trainLoss = "train_loss", valLoss = "val_loss",
             valAccuracy = "val_accuracy", perClassAccuracy = "per_class_accuracy",
             imagesPerSecond = "images_per_second", seconds, fromCache = "from_cache"
    }
    enum SummaryKeys: String, CodingKey { case metric, value, globalEpoch = "global_epoch" }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if let e = state.latest {
            var l = c.nestedContainer(keyedBy: LatestKeys.self, forKey: .latest)
            try l.encode(e.phase, forKey: .phase)
            try l.encode(e.epoch, forKey: .epoch)
            try l.encode(e.globalEpoch, forKey: .globalEpoch)
            try l.encode(e.trainLoss, forKey: .trainLoss)
            try l.encode(e.valLoss, forKey: .valLoss)
            try l.encode(e.valAccuracy, forKey: .valAccuracy)
            try l.encode(e.perClassAccuracy, forKey: .perClassAccuracy)
            try l.encode(e.imagesPerSecond, forKey: .imagesPerSecond)
            try l.encode(e.seconds, forKey: .seconds)
            try l.encode(e.fromCache, forKey: .fromCache)
        }
        if let best = state.best {
            try c.encode(BestWire(best), forKey: .best)
        } else if let test = state.test {
            var s = c.nestedContainer(keyedBy: SummaryKeys.self, forKey: .best)
            try s.encode(test.bestMetric, forKey: .metric)
            try s.encode(test.bestValue, forKey: .value)
            try s.encode(test.bestEpoch, forKey: .globalEpoch)
        }
        if let test = state.test {
            // The test split's figures exist when it was evaluated (`count`); unmeasurable ones are null.
            if test.count != nil {
                try c.encode(test.testLoss, forKey: .testLoss)
                try c.encode(test.testAccuracy, forKey: .testAccuracy)
            }
            try c.encodeIfPresent(test.ttaLoss, forKey: .ttaLoss)
            try c.encodeIfPresent(test.ttaAccuracy, forKey: .ttaAccuracy)
            try c.encode(test.stopReason, forKey: .stopReason)
            try c.encode(test.restoredBest, forKey: .restoredBest)
        }
    }
}

/// The `best` event's shape on the wire: its metrics flat beside `phase`, `epoch`, `global_epoch`.
struct BestWire: Encodable {
    let best: BestEvent
    init(_ best: BestEvent) { self.best = best }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for (name, value) in best.metrics { try c.encode(value, forKey: Key(name)) }
        try c.encode(best.phase, forKey: Key("phase"))
        try c.encode(best.epoch, forKey: Key("epoch"))
        try c.encode(best.globalEpoch, forKey: Key("global_epoch"))
    }
}

/// `lr_find`: the curve and `suggestions` (null when there are none; each suggestion null when unknown).
private struct LRFindWire: Encodable {
    let result: LRFindEvent
    init(_ result: LRFindEvent) { self.result = result }

    enum CodingKeys: String, CodingKey { case lrs, losses, endedBy = "ended_by", suggestions }
    enum SuggestionKeys: String, CodingKey { case valley, steep, minimum }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(result.lrs, forKey: .lrs)
        try c.encode(result.losses, forKey: .losses)
        try c.encode(result.endedBy, forKey: .endedBy)
        if let s = result.suggestions {
            var n = c.nestedContainer(keyedBy: SuggestionKeys.self, forKey: .suggestions)
            try n.encode(s.valley, forKey: .valley)
            try n.encode(s.steep, forKey: .steep)
            try n.encode(s.minimum, forKey: .minimum)
        } else {
            try c.encodeNil(forKey: .suggestions)
        }
    }
}
