import Foundation

/// A training (or LR-finder, or evaluation) job as posted to the daemon.
///
/// JSON fields (defaults in brackets; docs/training.md has the full reference):
/// - `name` [required], `type` [`"train"`, `"lr_find"` or `"evaluate"`],
/// - `model` [required]: `{"id": ...}` or `{"architecture": ...}` (`ModelSource`),
/// - `num_classes` [the number of dataset classes used]: outputs of the new head,
/// - `dataset` [required]: `DatasetSpec`,
/// - `phases` or `fine_tune` [exactly one for `train`; neither for `lr_find` or `evaluate`]: `PhaseSpec` list, or the
///   `FineTunePreset` which expands into phases when read,
/// - `optimizer` [AdamW, weight decay 0.01]: `OptimizerSpec`,
/// - `input_size` [the model's]: `[C, H, W]`, the resolution images are brought to; C must be the
///   model's channel count, H and W in [16, 1024] (ResNets pool adaptively, so any size runs),
/// - `batch_size` [64], `seed` [0],
/// - `early_stopping` [none]: job-level `EarlyStoppingSpec`,
/// - `train_bn` [false]: false keeps BatchNorm of frozen groups in inference mode (Keras); true trains
///   BatchNorm everywhere, as fastai does,
/// - `auto_unfreeze` [off]: `AutoUnfreezeSpec`,
/// - `lr_find` [fastai's defaults]: `LRFindSpec`, only with `"type": "lr_find"`,
/// - `evaluate` [split `test`, no TTA]: `EvaluateSpec`, only with `"type": "evaluate"`, whose `model`
///   must be a registered one (`{"id": ...}`) whose head predicts the selection's classes,
/// - `keep_last` [thawd's `--keep-last`, 2]: epoch checkpoints kept besides `best`, in [1, 1000].
public struct JobSpec: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable {
        case train
        case lrFind = "lr_find"
        case evaluate
    }

    public var name: String
    public var kind: Kind
    public var model: ModelSource
    public var numClasses: Int?
    /// `input_size`: per-image (C,H,W) the job trains at; nil = the model's own input shape.
    public var inputSize: [Int]?
    public var dataset: DatasetSpec
    /// Always expanded: a `fine_tune` preset is stored as the phases it stands for.
    public var phases: [PhaseSpec]
    public var optimizer: OptimizerSpec
    public var batchSize: Int
    public var seed: Int
    public var earlyStopping: EarlyStoppingSpec?
    public var trainBN: Bool
    public var autoUnfreeze: AutoUnfreezeSpec?
    public var lrFind: LRFindSpec?
    /// Set for (and only for) `evaluate` jobs.
    public var evaluate: EvaluateSpec?
    /// Checkpoint retention; nil leaves it to the daemon's default.
    public var keepLast: Int?

    public init(name: String, kind: Kind = .train, model: ModelSource, numClasses: Int? = nil, dataset: DatasetSpec,
                phases: [PhaseSpec], optimizer: OptimizerSpec = OptimizerSpec(), batchSize: Int = 64, seed: Int = 0,
                earlyStopping: EarlyStoppingSpec? = nil, trainBN: Bool = false, autoUnfreeze: AutoUnfreezeSpec? = nil,
                lrFind: LRFindSpec? = nil, evaluate: EvaluateSpec? = nil) {
        self.name = name
        self.kind = kind
        self.model = model
        self.numClasses = numClasses
        self.dataset = dataset
        self.phases = phases
        self.optimizer = optimizer
        self.batchSize = batchSize
        self.seed = seed
        self.earlyStopping = earlyStopping
        self.trainBN = trainBN
        self.autoUnfreeze = autoUnfreeze
        self.lrFind = lrFind
        self.evaluate = evaluate
    }

    /// Reads a job spec, reporting every structural problem (types, ranges, unknown fields, rules
    /// between fields). Use `check(json:context:)` to also validate against the model and dataset.
    public static func parse(json data: Data) -> Result<JobSpec, SpecError> {
        switch SpecCoding.parseDocument(data) {
        case .failure(let error): return .failure(error)
        case .success(let value):
            let log = ProblemLog()
            let spec = read(value, path: "", log: log)
            guard let spec, log.problems.isEmpty else { return .failure(SpecError(problems: log.problems)) }
            return .success(spec)
        }
    }

    /// Reads and validates in one go, returning every problem of both kinds.
    public static func check(json data: Data, context: SpecContext) -> Result<JobSpec, SpecError> {
        switch SpecCoding.parseDocument(data) {
        case .failure(let error): return .failure(error)
        case .success(let value):
            let log = ProblemLog()
            guard let spec = read(value, path: "", log: log) else { return .failure(SpecError(problems: log.problems)) }
            spec.validate(context, log: log)
            return log.problems.isEmpty ? .success(spec) : .failure(SpecError(problems: log.problems))
        }
    }

    /// Reads the document; nil only when the root is not an object or a required part is unusable.
    /// Fields that fail are logged and replaced by defaults that pass every context check.
    static func read(_ value: JSONValue, path: String, log: ProblemLog) -> JobSpec? {
        guard var r = ObjectReader(value, path: path, log: log) else { return nil }
        defer { r.finish() }
        let name = r.string("name", required: true)
        if let name, let problem = TextLimits.problem(name, TextLimits.name) { log.add(r.at("name"), problem) }
        var kind = Kind.train
        if let type = r.string("type") {
            if let k = Kind(rawValue: type) { kind = k } else { log.add(r.at("type"), "must be \"train\", \"lr_find\" or \"evaluate\", got \"\(type)\"") }
        }
        let model = r.required("model").flatMap { ModelSource.read($0, path: r.at("model"), log: log) }
        let numClasses = r.int("num_classes", "in [1, 100000]", { (1...100_000).contains($0) })
        let inputSize = r.value("input_size").flatMap { readInputSize($0, path: r.at("input_size"), log: log) }
        let dataset = r.required("dataset").flatMap { DatasetSpec.read($0, path: r.at("dataset"), log: log) }
        var spec = JobSpec(name: name ?? "", kind: kind, model: model ?? .architecture("small-cnn"), numClasses: numClasses,
                           dataset: dataset ?? DatasetSpec(id: ""), phases: [])
        spec.inputSize = inputSize
        spec.phases = readPhases(&r, kind: kind)
        if let v = r.value("optimizer"), let o = OptimizerSpec.read(v, path: r.at("optimizer"), log: log) { spec.optimizer = o }
        if let v = r.int("batch_size", "in [1, 65536]", { (1...65_536).contains($0) }) { spec.batchSize = v }
        if let v = r.int("seed", "in [0, 2^53]", { $0 >= 0 }) { spec.seed = v }
        if let v = r.value("early_stopping") {
            spec.earlyStopping = EarlyStoppingSpec.read(v, path: r.at("early_stopping"), log: log)
        }
        if let v = r.bool("train_bn") { spec.trainBN = v }
        if let v = r.int("keep_last", "in [1, 1000]", { (1...1000).contains($0) }) { spec.keepLast = v }
        if let v = r.value("auto_unfreeze"), let a = AutoUnfreezeSpec.read(v, path: r.at("auto_unfreeze"), log: log) {
            spec.autoUnfreeze = a
        }
        if let v = r.value("lr_find") {
            if kind != .lrFind { log.add(r.at("lr_find"), "applies only to jobs with \"type\": \"lr_find\"") }
            spec.lrFind = LRFindSpec.read(v, path: r.at("lr_find"), log: log)
        } else if kind == .lrFind {
            spec.lrFind = LRFindSpec()
        }
        if let v = r.value("evaluate") {
            if kind != .evaluate { log.add(r.at("evaluate"), "applies only to jobs with \"type\": \"evaluate\"") }
            spec.evaluate = EvaluateSpec.read(v, path: r.at("evaluate"), log: log)
        } else if kind == .evaluate {
            spec.evaluate = EvaluateSpec()
        }
        if kind == .evaluate {
            // Nothing trains, so the training fields would be silently ignored: refuse them instead.
            for key in ["optimizer", "early_stopping", "auto_unfreeze", "train_bn", "keep_last"] where r.has(key) {
                log.add(r.at(key), "does not apply to an evaluate job (nothing trains)")
            }
            if case .architecture = spec.model {
                log.add(r.at("model"), "an evaluate job needs a registered model ({\"id\": ...}), not a freshly initialised architecture")
            }
        }
        spec.checkCombinations(log: log)
        return spec
    }

    /// Phases in one job (each at most 10000 epochs).
    public static let maxPhases = 100

    /// Side lengths the pipeline and the engine accept for `input_size`.
    public static let inputSideRange = 16...1024

    private static func readInputSize(_ value: JSONValue, path: String, log: ProblemLog) -> [Int]? {
        guard let size = JSONRead.ints(value, path: path, log: log, "a positive integer", { $0 > 0 }) else { return nil }
        guard size.count == 3 else {
            log.add(path, "must be [C, H, W] (3 integers), got \(size.count)")
            return nil
        }
        for (i, side) in size.enumerated().dropFirst() where !inputSideRange.contains(side) {
            log.add(SpecPath.index(path, i), "must be in [\(inputSideRange.lowerBound), \(inputSideRange.upperBound)], got \(side)")
            return nil
        }
        return size
    }

    private static func readPhases(_ r: inout ObjectReader, kind: Kind) -> [PhaseSpec] {
        let log = r.log
        let phasesValue = r.value("phases"), presetValue = r.value("fine_tune")
        if kind == .lrFind || kind == .evaluate {
            for key in ["phases", "fine_tune"] where r.has(key) {
                log.add(r.at(key), kind == .lrFind ? "does not apply to an lr_find job (use lr_find's trainable)"
                                                   : "does not apply to an evaluate job (nothing trains)")
            }
            return []
        }
        switch (phasesValue, presetValue) {
        case (nil, nil):
            log.add(r.at("phases"), "is required (or the fine_tune preset)")
            return []
        case (.some, .some):
            log.add(r.path, "give either phases or fine_tune, not both")
            return []
        case (nil, let preset?):
            return FineTunePreset.read(preset, path: r.at("fine_tune"), log: log)?.phases ?? []
        case (let value?, nil):
            let path = r.at("phases")
            guard case .array(let items) = value else {
                log.add(path, "must be a list of phases, got \(value.typeName)")
                return []
            }
            if items.isEmpty { log.add(path, "must contain at least one phase") }
            guard items.count <= maxPhases else {
                log.add(path, "has \(items.count) phases; at most \(maxPhases) are allowed")
                return []
            }
            return items.enumerated().compactMap { i, item in
                PhaseSpec.read(item, path: SpecPath.index(path, i), log: log, index: i)
            }
        }
    }

    /// Context-free rules spanning several fields.
    private func checkCombinations(log: ProblemLog) {
        var seen: [String: Int] = [:]
        for (i, phase) in phases.enumerated() {
            if let first = seen[phase.name] {
                log.add("phases[\(i)].name", "\"\(phase.name)\" is already the name of phases[\(first)]")
            } else {
                seen[phase.name] = i
            }
            if trainBN, phase.cache == true {
                log.add("phases[\(i)].cache", "cannot be combined with train_bn: training BatchNorm in the frozen body changes its activations")
            }
        }
        guard !dataset.hasValidation else { return }
        var monitors: [(String, Metric)] = []
        if let metric = earlyStopping?.monitor { monitors.append(("early_stopping", metric)) }
        if let metric = autoUnfreeze?.monitor { monitors.append(("auto_unfreeze", metric)) }
        for (i, phase) in phases.enumerated() {
            if let metric = phase.earlyStopping?.monitor { monitors.append(("phases[\(i)].early_stopping", metric)) }
            if case .reduceOnPlateau(let s) = phase.schedule { monitors.append(("phases[\(i)].schedule", s.monitor)) }
        }
        for (path, metric) in monitors where metric.needsValidation {
            log.add(SpecPath.key(path, "monitor"), "\(metric.rawValue) needs validation images, but the dataset holds none out")
        }
    }

    var json: JSONValue {
        // An evaluate job refuses the training-only fields, so its document leaves them out.
        let trains = kind != .evaluate
        var fields: [(String, JSONValue?)] = [
            ("name", .string(name)), ("type", .string(kind.rawValue)), ("model", model.json),
            ("num_classes", numClasses.map { .number(Double($0)) }),
            ("input_size", inputSize.map { .array($0.map { .number(Double($0)) }) }), ("dataset", dataset.json),
            ("optimizer", trains ? optimizer.json : nil), ("batch_size", .number(Double(batchSize))), ("seed", .number(Double(seed))),
            ("early_stopping", earlyStopping?.json), ("train_bn", trains ? .bool(trainBN) : nil), ("auto_unfreeze", autoUnfreeze?.json),
            ("lr_find", lrFind?.json), ("evaluate", evaluate?.json), ("keep_last", keepLast.map { .number(Double($0)) }),
        ]
        if kind == .train { fields.append(("phases", .array(phases.map(\.json)))) }
        return .fields(fields)
    }

    public init(from decoder: Decoder) throws { self = try SpecCoding.decode(decoder, Self.read) }
    public func encode(to encoder: Encoder) throws { try json.encode(to: encoder) }
}
