/// `POST /v1/experiments`: one base job, a list of strategies and a list of seeds; every strategy
/// runs once per seed as a child job (docs/api.md, "Experiments").
///
/// JSON fields (defaults in brackets):
/// - `name` [required]: 1–128 characters; children are named `<name>/<strategy>/seed-<seed>`,
/// - `base` [required]: the job fields every child shares (`model`, `dataset`, `batch_size`,
///   `early_stopping`, `optimizer`, `num_classes`, `input_size`, `train_bn`, `auto_unfreeze`,
///   `keep_last`), read by the job spec reader inside each child; `name`, `type`, `seed`,
///   `phases`, `fine_tune` and `lr_find` are the experiment's to set and are refused here,
/// - `strategies` [required]: 1–16 of a built-in name (`ExperimentStrategy.Builtin`) or
///   `{"name", "phases", "model"?}`; names unique, 1–64 characters,
/// - `seeds` [`[0]`]: 1–10 distinct integers in [0, 2^53],
/// - `epochs` [25]: the epoch budget of each built-in strategy's run, in [3, 1000],
/// - `priority` [0]: every child's queue priority, in [-1000, 1000].
/// At most 64 children (strategies × seeds).
public struct CreateExperimentRequest: Sendable, Equatable {
    public var name: String
    public var base: [String: JSONValue]
    public var strategies: [ExperimentStrategy]
    public var seeds: [Int]
    public var epochs: Int
    public var priority: Int

    public static let nameRange = 1...128
    public static let maxStrategies = 16
    public static let maxSeeds = 10
    public static let maxChildren = 64
    public static let epochsRange = 3...1000
    public static let defaultEpochs = 25
    /// Job fields each child gets from the experiment rather than from `base`.
    public static let childKeys = ["name", "type", "seed", "phases", "fine_tune", "lr_find"]

    /// One child job to submit: its strategy (index into `strategies`), seed and job document.
    public struct Child: Sendable, Equatable {
        public var strategyIndex: Int
        public var strategy: String
        public var seed: Int
        public var name: String
        public var document: JSONValue
    }

    /// Reads the body, listing every problem of the experiment's own fields (the base's job fields
    /// are judged per child, `childProblem(_:strategyIndex:)` naming them inside this body).
    public static func read(_ body: JSONValue) -> Result<CreateExperimentRequest, SpecError> {
        let log = ProblemLog()
        guard var r = ObjectReader(body, path: "", log: log) else { return log.result(nil) }
        let name = r.text("name", nameRange, required: true)
        var base: [String: JSONValue]?
        if let value = r.required("base") {
            if case .object(let fields) = value {
                base = fields
                for key in childKeys where fields[key] != nil {
                    log.add(SpecPath.key("base", key), key == "seed"
                        ? "is set per child from seeds; list the seeds there"
                        : "is set per child by the experiment (from its name and strategies); remove it from base")
                }
            } else {
                log.add("base", "must be an object (the job fields every child shares), got \(value.typeName)")
            }
        }
        let strategies = r.required("strategies").flatMap { readStrategies($0, log: log) }
        let seeds = r.value("seeds").flatMap { readSeeds($0, log: log) } ?? [0]
        let epochs = r.int("epochs", in: epochsRange) ?? defaultEpochs
        let priority = r.int("priority", in: CreateJobRequest.priorityRange) ?? 0
        if let strategies, strategies.count * seeds.count > maxChildren {
            log.add("seeds", "\(strategies.count) strategies x \(seeds.count) seeds is \(strategies.count * seeds.count) jobs; at most \(maxChildren) are allowed")
        }
        r.finish()  // before the result is taken: unknown fields are problems too
        guard let name, let base, let strategies else { return log.result(nil) }
        return log.result(CreateExperimentRequest(name: name, base: base, strategies: strategies, seeds: seeds,
                                                  epochs: epochs, priority: priority))
    }

    private static func readStrategies(_ value: JSONValue, log: ProblemLog) -> [ExperimentStrategy]? {
        guard case .array(let items) = value else {
            log.add("strategies", "must be a list of strategies, got \(value.typeName)")
            return nil
        }
        guard (1...maxStrategies).contains(items.count) else {
            log.add("strategies", items.isEmpty ? "must contain at least one strategy"
                : "has \(items.count) strategies; at most \(maxStrategies) are allowed")
            return nil
        }
        var result: [ExperimentStrategy] = []
        var seen: [String: Int] = [:]
        var clean = true
        for (i, item) in items.enumerated() {
            let path = SpecPath.index("strategies", i)
            guard let strategy = readStrategy(item, path: path, log: log) else { clean = false; continue }
            if let first = seen[strategy.name] {
                log.add(item.field("name") != nil ? SpecPath.key(path, "name") : path,
                        "\"\(strategy.name)\" is already the name of strategies[\(first)]")
                clean = false
            } else {
                seen[strategy.name] = i
            }
            result.append(strategy)
        }
        return clean ? result : nil
    }

    private static func readStrategy(_ value: JSONValue, path: String, log: ProblemLog) -> ExperimentStrategy? {
        let builtins = ExperimentStrategy.Builtin.allCases.map(\.rawValue).joined(separator: ", ")
        switch value {
        case .string(let name):
            guard let builtin = ExperimentStrategy.Builtin(rawValue: name) else {
                log.add(path, "unknown built-in strategy \"\(name)\" (built-ins: \(builtins); or give {\"name\", \"phases\"})")
                return nil
            }
            return .builtin(builtin)
        case .object:
            guard var r = ObjectReader(value, path: path, log: log) else { return nil }
            defer { r.finish() }
            let name = r.text("name", TextLimits.phaseName, required: true)
            let phases = r.required("phases")
            let model = r.value("model")
            if let name, ExperimentStrategy.Builtin(rawValue: name) != nil {
                log.add(r.at("name"), "\"\(name)\" is a built-in strategy's name; give explicit phases another name")
                return nil
            }
            guard let name, let phases else { return nil }
            return .explicit(name: name, phases: phases, model: model)
        default:
            log.add(path, "must be a built-in strategy's name (\(builtins)) or {\"name\", \"phases\"}, got \(value.typeName)")
            return nil
        }
    }

    private static func readSeeds(_ value: JSONValue, log: ProblemLog) -> [Int]? {
        guard let seeds = JSONRead.ints(value, path: "seeds", log: log, "in [0, 2^53]", { $0 >= 0 }) else { return nil }
        guard (1...maxSeeds).contains(seeds.count) else {
            log.add("seeds", seeds.isEmpty ? "must contain at least one seed" : "has \(seeds.count) seeds; at most \(maxSeeds) are allowed")
            return nil
        }
        var seen: [Int: Int] = [:]
        for (i, seed) in seeds.enumerated() {
            if let first = seen[seed] {
                log.add(SpecPath.index("seeds", i), "\(seed) is already seeds[\(first)]")
                return nil
            }
            seen[seed] = i
        }
        return seeds
    }
}

extension CreateExperimentRequest {
    /// The children in submission order: seed by seed, every strategy once per seed, so that the
    /// strategies' first results arrive together. `scratchArchitecture` is the built-in
    /// architecture the base model has (nil when it has none: `scratch` is then a problem).
    public func children(scratchArchitecture: String?) -> Result<[Child], SpecError> {
        let log = ProblemLog()
        let trainBN = base["train_bn"] == .bool(true)
        var documents: [(Int, JSONValue, JSONValue?)] = []
        for (i, strategy) in strategies.enumerated() {
            switch strategy {
            case .builtin(let builtin):
                var model: JSONValue?
                if builtin.isFromScratch {
                    guard let scratchArchitecture else {
                        log.add(SpecPath.index("strategies", i),
                                "scratch needs a built-in architecture, but the base model has none; give {\"name\", \"model\": {\"architecture\": …}, \"phases\"} instead")
                        continue
                    }
                    model = ["architecture": .string(scratchArchitecture)]
                }
                documents.append((i, builtin.phases(epochs: epochs, trainBN: trainBN), model))
            case .explicit(_, let phases, let model):
                documents.append((i, phases, model))
            }
        }
        var children: [Child] = []
        for seed in seeds {
            for (i, phases, model) in documents {
                var fields = base
                let childName = "\(name)/\(strategies[i].name)/seed-\(seed)"
                fields["name"] = .string(childName)
                fields["seed"] = .number(Double(seed))
                fields["phases"] = phases
                if let model { fields["model"] = model }
                children.append(Child(strategyIndex: i, strategy: strategies[i].name, seed: seed, name: childName,
                                      document: .object(fields)))
            }
        }
        return log.result(children)
    }

    /// A problem the job spec reader (or the daemon) found in a child, named where it is in this
    /// body: `phases…` (and `model…` of a strategy that sets its own) inside `strategies[i]`,
    /// everything else inside `base`. A built-in's generated phases are not the user's text, so their
    /// problems are reported against the strategy itself, naming the phase field in the message.
    public func childProblem(_ problem: SpecProblem, strategyIndex i: Int) -> SpecProblem {
        let strategyPath = SpecPath.index("strategies", i)
        let path = problem.path
        let inPhases = Self.isUnder(path, "phases") || Self.isUnder(path, "fine_tune")
        let inModel = Self.isUnder(path, "model")
        switch strategies[i] {
        case .builtin(let builtin) where inPhases || (inModel && builtin.isFromScratch):
            return SpecProblem(path: strategyPath, message: "built-in \(builtin.rawValue): \(problem.description)")
        case .explicit(_, _, let model) where inPhases || (inModel && model != nil):
            return SpecProblem(path: SpecPath.key(strategyPath, path), message: problem.message)
        default:
            if path == "seed" { return SpecProblem(path: "seeds", message: problem.message) }
            if path == "name" { return SpecProblem(path: "name", message: "a child's name: \(problem.message)") }
            return SpecProblem(path: path.isEmpty ? "base" : SpecPath.key("base", path), message: problem.message)
        }
    }

    static func isUnder(_ path: String, _ key: String) -> Bool {
        path == key || path.hasPrefix(key + ".") || path.hasPrefix(key + "[")
    }
}
