/// Which images a job trains and validates on.
///
/// JSON: `{"id": "fashion-mnist", "classes": [5, 6, 7, 8, 9], "per_class": 100,
/// "validation_fraction": 0.2, "seed": 1}` or, for a fixed split,
/// `{"id": ..., "classes": [...], "train_indices": [...], "validation_indices": [...]}`.
/// - `classes`: the dataset labels to use, relabelled 0..k-1 in the order given; absent = all classes.
/// - Stratified pick (default): `per_class` images of each class (absent = all of them) are drawn with
///   `seed` (absent = the job's seed) from the dataset's training split, and `validation_fraction`
///   (default 0.2, in [0, 1)) of each class's pick is held out for validation.
/// - Fixed split: `train_indices` and `validation_indices` (both, disjoint, no repeats) index the
///   dataset's training split directly; the stratified fields do not apply.
/// - `crop_fraction` (image folders; default 1, in [0.5, 1]): how images are fitted to the input
///   size when decoded. 1 resizes to cover the input and center-crops it; below 1 the short side is
///   resized to input / crop_fraction first, torchvision's evaluation convention (0.875: 256 -> 224).
///   Training and evaluation read the same decoded images, so augmentation crops within them.
public struct DatasetSpec: Sendable, Equatable, Codable {
    public enum Split: Sendable, Equatable {
        case stratified(perClass: Int?, validationFraction: Double, seed: Int?)
        case fixed(train: [Int], validation: [Int])
    }

    public var id: String
    public var classes: [Int]?
    public var split: Split
    public var cropFraction: Double

    public init(id: String, classes: [Int]? = nil,
                split: Split = .stratified(perClass: nil, validationFraction: 0.2, seed: nil), cropFraction: Double = 1) {
        self.id = id
        self.classes = classes
        self.split = split
        self.cropFraction = cropFraction
    }

    /// Whether any image is held out for validation (val_* metrics need it).
    public var hasValidation: Bool {
        switch split {
        case .stratified(_, let fraction, _): fraction > 0
        case .fixed(_, let validation): !validation.isEmpty
        }
    }

    static func read(_ value: JSONValue, path: String, log: ProblemLog) -> DatasetSpec? {
        guard var reader = ObjectReader(value, path: path, log: log) else { return nil }
        defer { reader.finish() }
        let before = log.problems.count
        let id = reader.string("id", required: true)
        if let id, let problem = TextLimits.problem(id, TextLimits.identifier) { log.add(reader.at("id"), problem) }
        var classes: [Int]?
        if let value = reader.value("classes") {
            let classesPath = reader.at("classes")
            classes = JSONRead.ints(value, path: classesPath, log: log, "in [0, 99999]", { (0..<100_000).contains($0) })
            if let list = classes {
                if list.isEmpty { log.add(classesPath, "must list at least one class") }
                // One pass with a set: validation stays linear in the body size.
                var seen = Set<Int>(), repeatedSet = Set<Int>()
                for c in list where !seen.insert(c).inserted { repeatedSet.insert(c) }
                let repeated = repeatedSet.sorted()
                if !repeated.isEmpty { log.add(classesPath, "lists a class twice: \(JSONRead.list(repeated.map(String.init)))") }
            }
        }
        let cropFraction = reader.double("crop_fraction", "in [0.5, 1]", { $0 >= 0.5 && $0 <= 1 }) ?? 1
        let fixed = reader.has("train_indices") || reader.has("validation_indices")
        let split = fixed ? readFixed(&reader) : readStratified(&reader)
        guard let id, let split, log.problems.count == before else { return nil }
        return DatasetSpec(id: id, classes: classes, split: split, cropFraction: cropFraction)
    }

    private static func readStratified(_ reader: inout ObjectReader) -> Split? {
        let perClass = reader.int("per_class", "in [1, 10000000]", { (1...10_000_000).contains($0) })
        let fraction = reader.double("validation_fraction", "in [0, 1)", { $0 >= 0 && $0 < 1 })
        let seed = reader.int("seed", "in [0, 2^53]", { $0 >= 0 })
        return .stratified(perClass: perClass, validationFraction: fraction ?? 0.2, seed: seed)
    }

    private static func readFixed(_ reader: inout ObjectReader) -> Split? {
        let log = reader.log
        for key in ["per_class", "validation_fraction", "seed"] where reader.has(key) {
            _ = reader.value(key)
            log.add(reader.at(key), "does not apply to a fixed split (train_indices / validation_indices)")
        }
        var lists: [[Int]] = []
        for key in ["train_indices", "validation_indices"] {
            guard let value = reader.required(key) else { continue }
            guard let list = JSONRead.ints(value, path: reader.at(key), log: log, "in [0, 2^31)", { (0..<(1 << 31)).contains($0) })
            else { continue }
            var seen = Set<Int>()
            if let repeated = list.first(where: { !seen.insert($0).inserted }) {
                log.add(reader.at(key), "repeats index \(repeated)")
            }
            if key == "train_indices", list.isEmpty { log.add(reader.at(key), "must not be empty") }
            lists.append(list)
        }
        guard lists.count == 2 else { return nil }
        let shared = Set(lists[0]).intersection(lists[1])
        if let index = shared.min() {
            log.add(reader.at("validation_indices"), "shares \(shared.count) index(es) with train_indices, e.g. \(index)")
        }
        return .fixed(train: lists[0], validation: lists[1])
    }

    var json: JSONValue {
        var fields: [String: JSONValue] = ["id": .string(id)]
        if let classes { fields["classes"] = .array(classes.map { .number(Double($0)) }) }
        if cropFraction != 1 { fields["crop_fraction"] = .number(cropFraction) }
        switch split {
        case .stratified(let perClass, let fraction, let seed):
            fields["validation_fraction"] = .number(fraction)
            if let perClass { fields["per_class"] = .number(Double(perClass)) }
            if let seed { fields["seed"] = .number(Double(seed)) }
        case .fixed(let train, let validation):
            fields["train_indices"] = .array(train.map { .number(Double($0)) })
            fields["validation_indices"] = .array(validation.map { .number(Double($0)) })
        }
        return .object(fields)
    }

    public init(from decoder: Decoder) throws { self = try SpecCoding.decode(decoder, Self.read) }
    public func encode(to encoder: Encoder) throws { try json.encode(to: encoder) }
}
