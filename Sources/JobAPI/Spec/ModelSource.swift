/// Where the network comes from: a registered (usually pretrained) model by id, or a built-in
/// architecture trained from scratch.
///
/// JSON: `{"id": "<registered model id>"}` or `{"architecture": "small-cnn"}` (exactly one key).
public enum ModelSource: Sendable, Equatable, Codable {
    case registered(id: String)
    case architecture(String)

    static func read(_ value: JSONValue, path: String, log: ProblemLog) -> ModelSource? {
        guard var reader = ObjectReader(value, path: path, log: log) else { return nil }
        defer { reader.finish() }
        let id = reader.string("id")
        let architecture = reader.string("architecture")
        switch (reader.has("id"), reader.has("architecture")) {
        case (true, true):
            log.add(path, "give either id or architecture, not both")
            return nil
        case (false, false):
            log.add(path, "needs id (a registered model) or architecture (a built-in trained from scratch)")
            return nil
        case (true, false):
            guard let id else { return nil }
            if let problem = TextLimits.problem(id, TextLimits.identifier) {
                log.add(reader.at("id"), problem)
                return nil
            }
            return .registered(id: id)
        case (false, true):
            guard let architecture else { return nil }
            // Which names exist is NN's knowledge (`BuiltinArchitectures.names`): the daemon checks the
            // name once, when it resolves the model, beside the other references.
            if let problem = TextLimits.problem(architecture, TextLimits.name) {
                log.add(reader.at("architecture"), problem)
                return nil
            }
            return .architecture(architecture)
        }
    }

    var json: JSONValue {
        switch self {
        case .registered(let id): .object(["id": .string(id)])
        case .architecture(let name): .object(["architecture": .string(name)])
        }
    }

    public init(from decoder: Decoder) throws { self = try SpecCoding.decode(decoder, Self.read) }
    public func encode(to encoder: Encoder) throws { try json.encode(to: encoder) }
}
