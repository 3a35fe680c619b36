/// Parameters of an LR-finder job (`"type": "lr_find"`), fastai's `lr_find` defaults: an exponential
/// sweep from `startLR` to `endLR` over `numIt` batches (at least 6), stopping early when the smoothed
/// loss exceeds 4x its minimum (`stopDiv`). `trainable` selects the groups the sweep trains (all of them
/// by default); every trainable group gets the same swept LR.
///
/// JSON: `{"start_lr": 1e-7, "end_lr": 10, "num_it": 100, "stop_div": true, "trainable": "all"}`.
public struct LRFindSpec: Sendable, Equatable, Codable {
    public var startLR: Double
    public var endLR: Double
    public var numIt: Int
    public var stopDiv: Bool
    public var trainable: TrainableSelection

    public init(startLR: Double = 1e-7, endLR: Double = 10, numIt: Int = 100, stopDiv: Bool = true,
                trainable: TrainableSelection = .all) {
        self.startLR = startLR
        self.endLR = endLR
        self.numIt = numIt
        self.stopDiv = stopDiv
        self.trainable = trainable
    }

    static func read(_ value: JSONValue, path: String, log: ProblemLog) -> LRFindSpec? {
        guard var reader = ObjectReader(value, path: path, log: log) else { return nil }
        defer { reader.finish() }
        let before = log.problems.count
        var spec = LRFindSpec()
        if let v = reader.double("start_lr", "in (0, 10]", LRSpec.isValid) { spec.startLR = v }
        if let v = reader.double("end_lr", "in (0, 100]", { $0 > 0 && $0 <= 100 }) { spec.endLR = v }
        if let v = reader.int("num_it", "in [6, 100000]", { (6...100_000).contains($0) }) { spec.numIt = v }
        if let v = reader.bool("stop_div") { spec.stopDiv = v }
        if let v = reader.value("trainable"), let t = TrainableSelection.read(v, path: reader.at("trainable"), log: log) {
            spec.trainable = t
        }
        guard log.problems.count == before else { return nil }
        if spec.startLR >= spec.endLR {
            log.add(reader.at("end_lr"), "must exceed start_lr (\(JSONRead.format(spec.startLR))), got \(JSONRead.format(spec.endLR))")
            return nil
        }
        return spec
    }

    var json: JSONValue {
        .object(["start_lr": .number(startLR), "end_lr": .number(endLR), "num_it": .number(Double(numIt)),
                 "stop_div": .bool(stopDiv), "trainable": trainable.json])
    }

    public init(from decoder: Decoder) throws { self = try SpecCoding.decode(decoder, Self.read) }
    public func encode(to encoder: Encoder) throws { try json.encode(to: encoder) }
}
