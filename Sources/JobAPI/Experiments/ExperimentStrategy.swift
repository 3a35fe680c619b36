/// One arm of an experiment: a built-in recipe by name, or explicit phases (and optionally its own
/// model) under a name of the user's. Either way it becomes the `phases` (and `model`) of one child
/// job per seed; the job spec reader checks them there, so a strategy obeys exactly the rules of
/// `POST /v1/jobs` (docs/training.md, "Experiments").
public enum ExperimentStrategy: Sendable, Equatable {
    case builtin(Builtin)
    /// `phases` and `model` as posted (a list and an object when they read cleanly); the child's job
    /// spec reader judges them.
    case explicit(name: String, phases: JSONValue, model: JSONValue?)

    /// The built-ins follow the few-shot protocol (examples/fewshot/README.md), scaled to a budget
    /// of `epochs` per run (25 there): the head phase takes a fifth, gradual's middle phase 2/25.
    public enum Builtin: String, Sendable, Equatable, CaseIterable {
        /// The head alone, `epochs` at 3e-2 (one-cycle, pct 0.25, div 25), from cached activations.
        case headOnly = "head_only"
        /// Every group from the start, `epochs` at 1e-3.
        case full
        /// Head (a fifth, 3e-2, cached), then the last two groups (2/25), then all, at the recipe's
        /// discriminative LRs.
        case gradual
        /// Head (a fifth, 3e-2, cached), then every group with discriminative LRs 1e-4 … 1e-2
        /// (fastai `slice(1e-4, 1e-2)`; one-cycle pct 0.3, div 5).
        case recipe
        /// The base model's architecture with fresh weights, `epochs` at 3e-3 (the best scratch LR
        /// of the protocol).
        case scratch
    }

    public var name: String {
        switch self {
        case .builtin(let builtin): builtin.rawValue
        case .explicit(let name, _, _): name
        }
    }
}

extension ExperimentStrategy.Builtin {
    /// The phases of one run with an epoch budget `epochs` (>= 3). Head phases train from cached
    /// activations unless `trainBN` (BatchNorm training everywhere makes a cache impossible).
    public func phases(epochs: Int, trainBN: Bool) -> JSONValue {
        let head = max(1, Int((Double(epochs) / 5).rounded()))
        switch self {
        case .headOnly:
            return [Self.phase("head", ["last": 1], epochs, lr: 0.03, Self.warmup, cache: !trainBN)]
        case .full:
            return [Self.phase("all", "all", epochs, lr: 0.001, Self.warmup)]
        case .scratch:
            return [Self.phase("all", "all", epochs, lr: 0.003, Self.warmup)]
        case .recipe:
            return [Self.phase("head", ["last": 1], head, lr: 0.03, Self.warmup, cache: !trainBN),
                    Self.phase("all", "all", epochs - head, lr: Self.discriminative, Self.unfrozen)]
        case .gradual:
            let middle = max(1, Int((Double(epochs) * 2 / 25).rounded()))
            return [Self.phase("head", ["last": 1], head, lr: 0.03, Self.warmup, cache: !trainBN),
                    Self.phase("last2", ["last": 2], middle, lr: Self.discriminative, Self.unfrozen),
                    Self.phase("all", "all", epochs - head - middle, lr: Self.discriminative, Self.unfrozen)]
        }
    }

    /// Whether the run starts from fresh weights of the base model's architecture.
    public var isFromScratch: Bool { self == .scratch }

    static let warmup: JSONValue = ["type": "one_cycle", "pct_start": 0.25, "div_factor": 25]
    static let unfrozen: JSONValue = ["type": "one_cycle", "pct_start": 0.3, "div_factor": 5]
    static let discriminative: JSONValue = ["min": 0.0001, "max": 0.01]

    private static func phase(_ name: String, _ trainable: JSONValue, _ epochs: Int, lr: JSONValue, _ schedule: JSONValue,
                              cache: Bool = false) -> JSONValue {
        var fields: [String: JSONValue] = ["name": .string(name), "trainable": trainable, "epochs": .number(Double(epochs)),
                                           "lr": lr, "schedule": schedule]
        if cache { fields["cache"] = true }
        return .object(fields)
    }
}
