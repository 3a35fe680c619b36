/// One phase of a training job: which groups train, for how long, at what LRs and schedule.
///
/// JSON fields (defaults in brackets):
/// - `name` [`phase<i>`, 1-based]: unique within the job.
/// - `trainable` [required]: `"all"`, `["block2", "head"]` or `{"last": k}`.
/// - `refreeze` [false]: freeze groups the user unfroze that `trainable` does not name. Without it a
///   phase only adds trainable groups to what the user unfroze by control command.
/// - `epochs` or `max_epochs` [one required]: `epochs` is a fixed length (early stopping may still cut it);
///   `max_epochs` makes the phase open-ended, ended by its own `early_stopping` (required then). The
///   schedule is planned over this count either way.
/// - `lr` [0.001]: see `LRSpec`.
/// - `schedule` [`"one_cycle"`]: see `ScheduleSpec`.
/// - `early_stopping` [none]: this phase's own early stopping (see `EarlyStoppingSpec`).
/// - `augment` [false]: see `AugmentSpec`.
/// - `cache` [absent = automatic]: whether epochs may train from the frozen body's activations,
///   computed once. Absent, the trainer caches whenever that is exact (no augmentation, `train_bn`
///   false, a frozen prefix) and fits the cache budget; `true` also asks for it but is refused where
///   it cannot hold (augmentation, gradual unfreezing, `train_bn`, the first group trainable);
///   `false` never caches: the body runs on every batch.
/// - `gradual_unfreeze` [none]: see `GradualUnfreezeSpec`.
/// - `reset_optimizer` [true]: start the phase with fresh optimizer state.
public struct PhaseSpec: Sendable, Equatable, Codable {
    public var name: String
    public var trainable: TrainableSelection
    public var refreeze: Bool
    public var epochs: Int
    public var openEnded: Bool
    public var lr: LRSpec
    public var schedule: ScheduleSpec
    public var earlyStopping: EarlyStoppingSpec?
    public var augment: AugmentSpec?
    /// nil: automatic (cache when exact); false never caches; true asks for it (validated).
    public var cache: Bool?
    public var gradualUnfreeze: GradualUnfreezeSpec?
    public var resetOptimizer: Bool

    public static let defaultLR = LRSpec.uniform(1e-3)

    public init(name: String, trainable: TrainableSelection, refreeze: Bool = false, epochs: Int,
                openEnded: Bool = false, lr: LRSpec = PhaseSpec.defaultLR, schedule: ScheduleSpec = .oneCycle(OneCycleSchedule()),
                earlyStopping: EarlyStoppingSpec? = nil, augment: AugmentSpec? = nil, cache: Bool? = nil,
                gradualUnfreeze: GradualUnfreezeSpec? = nil, resetOptimizer: Bool = true) {
        self.name = name
        self.trainable = trainable
        self.refreeze = refreeze
        self.epochs = epochs
        self.openEnded = openEnded
        self.lr = lr
        self.schedule = schedule
        self.earlyStopping = earlyStopping
        self.augment = augment
        self.cache = cache
        self.gradualUnfreeze = gradualUnfreeze
        self.resetOptimizer = resetOptimizer
    }

    /// Reads a phase; bad fields are logged and replaced by defaults valid in any context, so later
    /// checks report only new problems.
    static func read(_ value: JSONValue, path: String, log: ProblemLog, index: Int) -> PhaseSpec? {
        guard var r = ObjectReader(value, path: path, log: log) else { return nil }
        defer { r.finish() }
        var phase = PhaseSpec(name: "phase\(index + 1)", trainable: .all, epochs: 1)
        if let name = r.string("name") {
            if let problem = TextLimits.problem(name, TextLimits.phaseName) { log.add(r.at("name"), problem) } else { phase.name = name }
        }
        if let v = r.required("trainable"), let t = TrainableSelection.read(v, path: r.at("trainable"), log: log) {
            phase.trainable = t
        }
        if let v = r.bool("refreeze") { phase.refreeze = v }
        readLength(&r, into: &phase)
        if let v = r.value("lr"), let lr = LRSpec.read(v, path: r.at("lr"), log: log) { phase.lr = lr }
        if let v = r.value("schedule"), let s = ScheduleSpec.read(v, path: r.at("schedule"), log: log) { phase.schedule = s }
        if let v = r.value("early_stopping") {
            phase.earlyStopping = EarlyStoppingSpec.read(v, path: r.at("early_stopping"), log: log)
        }
        if let v = r.value("augment"), let a = AugmentSpec.read(v, path: r.at("augment"), log: log) { phase.augment = a }
        if let v = r.bool("cache") { phase.cache = v }
        if let v = r.value("gradual_unfreeze") {
            phase.gradualUnfreeze = GradualUnfreezeSpec.read(v, path: r.at("gradual_unfreeze"), log: log)
        }
        if let v = r.bool("reset_optimizer") { phase.resetOptimizer = v }
        checkCombinations(phase, path: path, log: log, hasEarlyStopping: r.has("early_stopping"))
        return phase
    }

    private static func readLength(_ r: inout ObjectReader, into phase: inout PhaseSpec) {
        switch (r.has("epochs"), r.has("max_epochs")) {
        case (true, true):
            _ = r.value("max_epochs")
            _ = r.value("epochs")
            r.log.add(r.path, "give either epochs (fixed) or max_epochs (open-ended), not both")
        case (false, false):
            r.log.add(r.at("epochs"), "is required (or max_epochs for an open-ended phase)")
        case (true, false):
            if let v = r.int("epochs", "in [1, 10000]", { (1...10_000).contains($0) }) { phase.epochs = v }
        case (false, true):
            if let v = r.int("max_epochs", "in [1, 10000]", { (1...10_000).contains($0) }) { phase.epochs = v }
            phase.openEnded = true
        }
    }

    /// Context-free rules between fields of one phase.
    private static func checkCombinations(_ phase: PhaseSpec, path: String, log: ProblemLog, hasEarlyStopping: Bool) {
        if phase.openEnded, !hasEarlyStopping {
            log.add(SpecPath.key(path, "max_epochs"), "an open-ended phase needs its own early_stopping to end it")
        }
        if phase.cache == true, phase.augment != nil {
            log.add(SpecPath.key(path, "cache"), "cannot be combined with augment (augmented images change the activations every epoch)")
        }
        if phase.cache == true, phase.gradualUnfreeze != nil {
            log.add(SpecPath.key(path, "cache"), "cannot be combined with gradual_unfreeze (unfreezing invalidates the cached activations)")
        }
        if phase.gradualUnfreeze != nil, phase.trainable == .all {
            log.add(SpecPath.key(path, "gradual_unfreeze"), "has nothing to unfreeze: trainable is already \"all\"")
        }
    }

    var json: JSONValue {
        .fields([("name", .string(name)), ("trainable", trainable.json), ("refreeze", .bool(refreeze)),
                 (openEnded ? "max_epochs" : "epochs", .number(Double(epochs))), ("lr", lr.json),
                 ("schedule", schedule.json), ("early_stopping", earlyStopping?.json), ("augment", augment?.json),
                 ("cache", cache.map(JSONValue.bool)), ("gradual_unfreeze", gradualUnfreeze?.json),
                 ("reset_optimizer", .bool(resetOptimizer))])
    }

    public init(from decoder: Decoder) throws {
        self = try SpecCoding.decode(decoder) { value, path, log in Self.read(value, path: path, log: log, index: 0) }
    }
    public func encode(to encoder: Encoder) throws { try json.encode(to: encoder) }
}
