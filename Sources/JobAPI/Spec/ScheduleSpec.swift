/// The LR (and momentum) schedule of one phase.
///
/// JSON: a name with default parameters (`"constant"`, `"one_cycle"`, `"sgdr"`, `"reduce_on_plateau"`)
/// or an object `{"type": <name>, ...parameters}` overriding them (`"step"` needs its step_size, so only
/// the object form). See each schedule type for its parameters and defaults.
public enum ScheduleSpec: Sendable, Equatable, Codable {
    case constant
    case oneCycle(OneCycleSchedule)
    case sgdr(SGDRSchedule)
    case stepDecay(StepDecaySchedule)
    case reduceOnPlateau(ReduceOnPlateauSpec)

    static let names = ["constant", "one_cycle", "sgdr", "step", "reduce_on_plateau"]

    var name: String {
        switch self {
        case .constant: "constant"
        case .oneCycle: "one_cycle"
        case .sgdr: "sgdr"
        case .stepDecay: "step"
        case .reduceOnPlateau: "reduce_on_plateau"
        }
    }

    static func read(_ value: JSONValue, path: String, log: ProblemLog) -> ScheduleSpec? {
        switch value {
        case .string(let name):
            switch name {
            case "constant": return .constant
            case "one_cycle": return .oneCycle(OneCycleSchedule())
            case "sgdr": return .sgdr(SGDRSchedule())
            case "reduce_on_plateau": return .reduceOnPlateau(ReduceOnPlateauSpec())
            case "step":
                log.add(path, "step decay needs its step size: {\"type\": \"step\", \"step_size\": <epochs>}")
                return nil
            default:
                log.add(path, "unknown schedule \"\(name)\" (known: \(names.joined(separator: ", ")))")
                return nil
            }
        case .object:
            guard var reader = ObjectReader(value, path: path, log: log) else { return nil }
            defer { reader.finish() }
            guard let type = reader.string("type", required: true) else {
                reader.abandon()
                return nil
            }
            switch type {
            case "constant": return .constant
            case "one_cycle": return readOneCycle(&reader).map(ScheduleSpec.oneCycle)
            case "sgdr": return readSGDR(&reader).map(ScheduleSpec.sgdr)
            case "step": return readStep(&reader).map(ScheduleSpec.stepDecay)
            case "reduce_on_plateau": return readPlateau(&reader).map(ScheduleSpec.reduceOnPlateau)
            default:
                reader.abandon()
                log.add(reader.at("type"), "unknown schedule \"\(type)\" (known: \(names.joined(separator: ", ")))")
                return nil
            }
        default:
            log.add(path, "must be a schedule name or an object with a type, got \(value.typeName)")
            return nil
        }
    }

    private static func readOneCycle(_ reader: inout ObjectReader) -> OneCycleSchedule? {
        var s = OneCycleSchedule()
        let before = reader.log.problems.count
        if let v = reader.double("pct_start", "in [0, 1)", { $0 >= 0 && $0 < 1 }) { s.pctStart = v }
        if let v = reader.double("div_factor", "in [1, 1e6]", { $0 >= 1 && $0 <= 1e6 }) { s.divFactor = v }
        if let v = reader.double("final_div_factor", "in [1, 1e12]", { $0 >= 1 && $0 <= 1e12 }) { s.finalDivFactor = v }
        if let value = reader.value("moms") {
            let path = reader.at("moms")
            if value == .bool(false) {
                s.moms = nil
            } else if case .array(let items) = value, items.count == 3 {
                let moms = items.enumerated().compactMap { i, item in
                    JSONRead.double(item, path: SpecPath.index(path, i), log: reader.log, "in [0, 1)") { $0 >= 0 && $0 < 1 }
                }
                if moms.count == 3 { s.moms = (moms[0], moms[1], moms[2]) }
            } else {
                reader.log.add(path, "must be three momentums [start, at peak LR, end] or false, got \(value.typeName)")
            }
        }
        return reader.log.problems.count == before ? s : nil
    }

    private static func readSGDR(_ reader: inout ObjectReader) -> SGDRSchedule? {
        var s = SGDRSchedule()
        let before = reader.log.problems.count
        if let v = reader.double("cycle_len", "in [0.001, 10000] (epochs)", { $0 >= 0.001 && $0 <= 10_000 }) { s.cycleLen = v }
        if let v = reader.double("cycle_mult", "in [1, 100]", { $0 >= 1 && $0 <= 100 }) { s.cycleMult = v }
        if let v = reader.double("min_factor", "in [0, 1)", { $0 >= 0 && $0 < 1 }) { s.minFactor = v }
        return reader.log.problems.count == before ? s : nil
    }

    private static func readStep(_ reader: inout ObjectReader) -> StepDecaySchedule? {
        let size = reader.int("step_size", required: true, "in [1, 10000] (epochs)", { (1...10_000).contains($0) })
        let gamma = reader.double("gamma", "in (0, 1]", { $0 > 0 && $0 <= 1 })
        guard let size, reader.has("gamma") == (gamma != nil) else { return nil }
        return StepDecaySchedule(stepSize: size, gamma: gamma ?? 0.1)
    }

    private static func readPlateau(_ reader: inout ObjectReader) -> ReduceOnPlateauSpec? {
        let before = reader.log.problems.count
        let monitor = Metric.read(&reader) ?? .valLoss
        var s = ReduceOnPlateauSpec(monitor: monitor, mode: MonitorMode.read(&reader, monitor: monitor))
        if let v = reader.double("factor", "in (0, 1)", { $0 > 0 && $0 < 1 }) { s.factor = v }
        if let v = reader.int("patience", "in [1, 10000] (epochs)", { (1...10_000).contains($0) }) { s.patience = v }
        if let v = reader.double("min_delta", "in [0, 1e6]", { $0 >= 0 && $0 <= 1e6 }) { s.minDelta = v }
        if let v = reader.double("min_lr", "in [0, 10]", { $0 >= 0 && $0 <= 10 }) { s.minLR = v }
        return reader.log.problems.count == before ? s : nil
    }

    var json: JSONValue {
        switch self {
        case .constant:
            return .string("constant")
        case .oneCycle(let s):
            return .fields([("type", .string("one_cycle")), ("pct_start", .number(s.pctStart)),
                            ("div_factor", .number(s.divFactor)), ("final_div_factor", .number(s.finalDivFactor)),
                            ("moms", s.moms.map { .array([.number($0.0), .number($0.1), .number($0.2)]) } ?? .bool(false))])
        case .sgdr(let s):
            return .object(["type": .string("sgdr"), "cycle_len": .number(s.cycleLen),
                            "cycle_mult": .number(s.cycleMult), "min_factor": .number(s.minFactor)])
        case .stepDecay(let s):
            return .object(["type": .string("step"), "step_size": .number(Double(s.stepSize)), "gamma": .number(s.gamma)])
        case .reduceOnPlateau(let s):
            return .object(["type": .string("reduce_on_plateau"), "monitor": .string(s.monitor.rawValue),
                            "mode": .string(s.mode.rawValue), "factor": .number(s.factor),
                            "patience": .number(Double(s.patience)), "min_delta": .number(s.minDelta),
                            "min_lr": .number(s.minLR)])
        }
    }

    public init(from decoder: Decoder) throws { self = try SpecCoding.decode(decoder, Self.read) }
    public func encode(to encoder: Encoder) throws { try json.encode(to: encoder) }
}
