/// The optimizer and its hyper-parameters (the LR comes from each phase).
///
/// JSON: `{"type": "adamw", "weight_decay": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}` or
/// `{"type": "sgd", "momentum": 0.9, "nesterov": false, "weight_decay": 0}`. Defaults are PyTorch's
/// (the bench's peer) except SGD's momentum, 0.9 rather than 0. Absent: AdamW with its defaults.
/// One-cycle's momentum cycling overrides `momentum` / `beta1` while it runs.
public struct OptimizerSpec: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case sgd, adam, adamw
    }

    public var kind: Kind
    /// SGD and Adam: L2 added to the gradient; AdamW: decoupled decay `w -= lr * wd * w`.
    public var weightDecay: Double
    public var momentum: Double
    public var nesterov: Bool
    public var beta1: Double
    public var beta2: Double
    public var eps: Double

    public init(kind: Kind = .adamw, weightDecay: Double? = nil, momentum: Double = 0.9, nesterov: Bool = false,
                beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8) {
        self.kind = kind
        self.weightDecay = weightDecay ?? (kind == .adamw ? 0.01 : 0)
        self.momentum = momentum
        self.nesterov = nesterov
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
    }

    static func read(_ value: JSONValue, path: String, log: ProblemLog) -> OptimizerSpec? {
        guard var reader = ObjectReader(value, path: path, log: log) else { return nil }
        defer { reader.finish() }
        let before = log.problems.count
        let name = reader.string("type", required: true)
        guard let name else {
            reader.abandon()
            return nil
        }
        guard let kind = Kind(rawValue: name) else {
            reader.abandon()
            log.add(reader.at("type"), "unknown optimizer \"\(name)\" (known: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
            return nil
        }
        var spec = OptimizerSpec(kind: kind, weightDecay: reader.double("weight_decay", "in [0, 10]", { $0 >= 0 && $0 <= 10 }))
        let onlySGD = ["momentum", "nesterov"], onlyAdam = ["beta1", "beta2", "eps"]
        for key in kind == .sgd ? onlyAdam : onlySGD where reader.has(key) {
            _ = reader.value(key)
            log.add(reader.at(key), kind == .sgd ? "applies to adam and adamw only" : "applies to sgd only (adam's momentum is beta1)")
        }
        if kind == .sgd {
            if let v = reader.double("momentum", "in [0, 1)", { $0 >= 0 && $0 < 1 }) { spec.momentum = v }
            if let v = reader.bool("nesterov") { spec.nesterov = v }
        } else {
            if let v = reader.double("beta1", "in [0, 1)", { $0 >= 0 && $0 < 1 }) { spec.beta1 = v }
            if let v = reader.double("beta2", "in [0, 1)", { $0 >= 0 && $0 < 1 }) { spec.beta2 = v }
            if let v = reader.double("eps", "in (0, 1]", { $0 > 0 && $0 <= 1 }) { spec.eps = v }
        }
        return log.problems.count == before ? spec : nil
    }

    var json: JSONValue {
        var fields: [String: JSONValue] = ["type": .string(kind.rawValue), "weight_decay": .number(weightDecay)]
        if kind == .sgd {
            fields["momentum"] = .number(momentum)
            fields["nesterov"] = .bool(nesterov)
        } else {
            fields["beta1"] = .number(beta1)
            fields["beta2"] = .number(beta2)
            fields["eps"] = .number(eps)
        }
        return .object(fields)
    }

    public init(from decoder: Decoder) throws { self = try SpecCoding.decode(decoder, Self.read) }
    public func encode(to encoder: Encoder) throws { try json.encode(to: encoder) }
}
