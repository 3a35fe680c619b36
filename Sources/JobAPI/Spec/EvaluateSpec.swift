/// Parameters of an evaluation job (`"type": "evaluate"`): which split of the job's dataset selection
/// the model is run on, in inference mode, and whether test-time augmentation (the flip views: each
/// image and its mirror, softmax averaged) is reported beside the plain figures. Nothing trains: the
/// weights, BatchNorm statistics included, are exactly the registered model's before and after.
///
/// JSON: `{"split": "test", "tta": false}` (both optional).
/// - `split` [`"test"`]: `"test"` (the dataset's test split, with the selection's classes),
///   `"validation"` (the held-out part of the stratified pick or `validation_indices`) or `"train"`.
/// - `tta` [false]: also report `tta_loss` / `tta_accuracy`.
public struct EvaluateSpec: Sendable, Equatable, Codable {
    public enum Split: String, Sendable, Equatable, CaseIterable {
        case test, validation, train
    }

    public var split: Split
    public var tta: Bool

    public init(split: Split = .test, tta: Bool = false) {
        self.split = split
        self.tta = tta
    }

    static func read(_ value: JSONValue, path: String, log: ProblemLog) -> EvaluateSpec? {
        guard var reader = ObjectReader(value, path: path, log: log) else { return nil }
        defer { reader.finish() }
        var spec = EvaluateSpec()
        if let name = reader.string("split") {
            if let split = Split(rawValue: name) {
                spec.split = split
            } else {
                log.add(reader.at("split"), "must be \"test\", \"validation\" or \"train\", got \"\(name)\"")
            }
        }
        if let v = reader.bool("tta") { spec.tta = v }
        return spec
    }

    var json: JSONValue {
        .object(["split": .string(split.rawValue), "tta": .bool(tta)])
    }

    public init(from decoder: Decoder) throws { self = try SpecCoding.decode(decoder, Self.read) }
    public func encode(to encoder: Encoder) throws { try json.encode(to: encoder) }
}
