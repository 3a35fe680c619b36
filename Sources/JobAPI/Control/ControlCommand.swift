import Foundation

/// A live command sent to a running job, applied at the next batch boundary and acknowledged by an
/// event that records the effective state afterwards.
///
/// Bodies (the action comes from the route, or from an `"action"` field in the Codable form):
/// - `unfreeze`: a `ControlTarget`, optionally `"lr"`: a number, `{"min", "max"}` (spread over the newly
///   trainable groups, first to head) or `{"groups": {...}}`. Without `lr` the groups use the share the
///   phase's LR spec gave them. A user unfreeze holds for the rest of the job (see `GroupState`).
/// - `freeze`: a `ControlTarget` (must leave something trainable).
/// - `lr`: `{"lr": 1e-4}` or `{"lr": {"min", "max"}}` (all groups), `{"scale": 0.1}` (optionally with
///   `"groups": [...]`), or `{"groups": {"head": 1e-3}}`. LRs are schedule peaks, as in the phase spec.
/// - `pause`, `resume`, `stop` (end early, keeping the best weights), `cancel`: empty body.
public enum ControlCommand: Sendable, Equatable, Codable {
    case unfreeze(ControlTarget, lr: LRSpec?)
    case freeze(ControlTarget)
    case setLR(LRChange)
    case pause
    case resume
    case stop
    case cancel

    public static let actions = ["unfreeze", "freeze", "lr", "pause", "resume", "stop", "cancel"]

    /// Parses a command body posted to the route for `action`; an empty body counts as `{}`.
    public static func parse(action: String, body: Data) -> Result<ControlCommand, SpecError> {
        let trimmed = body.filter { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }
        let value: JSONValue
        if trimmed.isEmpty {
            value = .object([:])
        } else {
            switch SpecCoding.parseDocument(body) {
            case .failure(let error): return .failure(error)
            case .success(let parsed): value = parsed
            }
        }
        let log = ProblemLog()
        guard var reader = ObjectReader(value, path: "", log: log) else { return .failure(SpecError(problems: log.problems)) }
        let command = read(action: action, &reader)
        reader.finish()
        guard let command, log.problems.isEmpty else { return .failure(SpecError(problems: log.problems)) }
        return .success(command)
    }

    static func read(action: String, _ reader: inout ObjectReader) -> ControlCommand? {
        let log = reader.log
        switch action {
        case "unfreeze":
            let target = ControlTarget.read(&reader)
            let lr = reader.value("lr").flatMap { LRSpec.read($0, path: reader.at("lr"), log: log) }
            guard let target, reader.has("lr") == (lr != nil) else { return nil }
            return .unfreeze(target, lr: lr)
        case "freeze":
            return ControlTarget.read(&reader).map(ControlCommand.freeze)
        case "lr":
            return LRChange.read(&reader).map(ControlCommand.setLR)
        case "pause": return .pause
        case "resume": return .resume
        case "stop": return .stop
        case "cancel": return .cancel
        default:
            reader.abandon()
            log.add("action", "unknown action \"\(action)\" (known: \(actions.joined(separator: ", ")))")
            return nil
        }
    }

    public var action: String {
        switch self {
        case .unfreeze: "unfreeze"
        case .freeze: "freeze"
        case .setLR: "lr"
        case .pause: "pause"
        case .resume: "resume"
        case .stop: "stop"
        case .cancel: "cancel"
        }
    }

    /// The body fields, without the action.
    var bodyFields: [String: JSONValue] {
        switch self {
        case .unfreeze(let target, let lr):
            var fields = target.fields
            if let lr { fields["lr"] = lr.json }
            return fields
        case .freeze(let target): return target.fields
        case .setLR(let change): return change.fields
        case .pause, .resume, .stop, .cancel: return [:]
        }
    }

    /// Codable form: the body with an `"action"` field.
    public init(from decoder: Decoder) throws {
        self = try SpecCoding.decode(decoder) { value, path, log in
            guard var reader = ObjectReader(value, path: path, log: log) else { return nil }
            defer { reader.finish() }
            guard let action = reader.string("action", required: true) else {
                reader.abandon()
                return nil
            }
            return ControlCommand.read(action: action, &reader)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var fields = bodyFields
        fields["action"] = .string(action)
        try JSONValue.object(fields).encode(to: encoder)
    }
}
