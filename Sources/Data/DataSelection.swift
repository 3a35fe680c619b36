/// Which images of a source a job trains, validates and tests on.
///
/// `classes` picks source labels and relabels them `0..<classes.count` in the given order (Fashion-MNIST
/// `[1, 3, 4, 6, 9]` makes Trouser label 0 … Ankle boot label 4); nil keeps every class as is.
/// The split is either a seeded stratified pick or explicit index lists, so a run can use exactly
/// the images another tool used (`examples/fewshot/fewshot_pick.json`).
public struct DataSelection: Sendable, Equatable, Codable {
    public enum Split: Sendable, Equatable, Codable {
        /// Per class: shuffle that class's source indices with `seed`, keep the first `perClass`
        /// (nil = all of them), and send `round(n * validationFraction)` of those n to validation —
        /// at least 1 and at most n-1 when the fraction is > 0 and n >= 2, so neither side of a
        /// few-shot class is empty. `perClass` therefore counts train + validation images.
        case stratified(perClass: Int?, validationFraction: Double, seed: UInt64)
        /// Indices into the source's training split (0-based, file order), used verbatim and in this
        /// order. Every index must carry one of `classes`; the two lists must not overlap.
        case explicit(train: [Int], validation: [Int])
    }

    public var classes: [Int]?
    public var split: Split

    public init(classes: [Int]? = nil, split: Split) {
        self.classes = classes
        self.split = split
    }

    /// Convenience for the common case: every image of `classes`, 10% validation.
    public static func stratified(classes: [Int]? = nil, perClass: Int? = nil, validationFraction: Double = 0.1,
                                  seed: UInt64 = 0) -> DataSelection {
        DataSelection(classes: classes, split: .stratified(perClass: perClass, validationFraction: validationFraction, seed: seed))
    }

    /// Applies the selection to a source's training split and, when it has one, its test split.
    /// The test view holds every test image of the selected classes, relabelled the same way.
    public func apply(train source: LabeledImages, test: LabeledImages? = nil) throws(DataError) -> SelectedData {
        let mapping = try labelMapping(classCount: source.classNames.count)
        let (trainIndices, validationIndices) = try pick(labels: source.labels, mapping: mapping)
        let names = mapping.sourceClasses.map { source.classNames[$0] }
        var testView: LabeledImages? = nil
        if let test {
            guard test.classNames == source.classNames else {
                throw DataError(.labelMismatch, path: nil, "test split classes \(test.classNames) differ from training classes \(source.classNames)")
            }
            let testIndices = test.labels.indices.filter { mapping.target[test.labels[$0]] != nil }
            testView = relabel(test.gathering(testIndices), mapping, names)
        }
        return SelectedData(
            train: relabel(source.gathering(trainIndices), mapping, names),
            validation: relabel(source.gathering(validationIndices), mapping, names),
            test: testView, classNames: names, sourceClasses: mapping.sourceClasses,
            trainIndices: trainIndices, validationIndices: validationIndices)
    }

    /// Source label → target label, plus the inverse list.
    struct LabelMapping {
        var sourceClasses: [Int]
        var target: [Int: Int]
    }

    func labelMapping(classCount: Int) throws(DataError) -> LabelMapping {
        let chosen = classes ?? Array(0..<classCount)
        guard !chosen.isEmpty else { throw DataError(.invalidSelection, path: nil, "classes: empty list") }
        var target = [Int: Int]()
        for (t, s) in chosen.enumerated() {
            guard s >= 0 && s < classCount else {
                throw DataError(.invalidSelection, path: nil, "classes: \(s) is not a class of the source (0..<\(classCount))")
            }
            guard target[s] == nil else { throw DataError(.invalidSelection, path: nil, "classes: \(s) is listed twice") }
            target[s] = t
        }
        return LabelMapping(sourceClasses: chosen, target: target)
    }

    /// The pure core: source indices for train and validation, from the labels alone.
    func pick(labels: [Int], mapping: LabelMapping) throws(DataError) -> (train: [Int], validation: [Int]) {
        switch split {
        case let .stratified(perClass, fraction, seed):
            return try stratifiedPick(labels: labels, mapping: mapping, perClass: perClass, fraction: fraction, seed: seed)
        case let .explicit(train, validation):
            return try explicitPick(labels: labels, mapping: mapping, train: train, validation: validation)
        }
    }

    private func stratifiedPick(labels: [Int], mapping: LabelMapping, perClass: Int?, fraction: Double,
                                seed: UInt64) throws(DataError) -> (train: [Int], validation: [Int]) {
        guard fraction >= 0, fraction < 1 else {
            throw DataError(.invalidSelection, path: nil, "validation_fraction: \(fraction) is outside [0, 1)")
        }
        if let perClass, perClass <= 0 {
            throw DataError(.invalidSelection, path: nil, "per_class: \(perClass) must be positive")
        }
        var byClass = [[Int]](repeating: [], count: mapping.sourceClasses.count)
        for (i, l) in labels.enumerated() { if let t = mapping.target[l] { byClass[t].append(i) } }
        var train = [Int](), validation = [Int]()
        for (t, var members) in byClass.enumerated() {
            let source = mapping.sourceClasses[t]
            guard !members.isEmpty else { throw DataError(.emptyClass, path: nil, "class \(source) has no images") }
            if let perClass, perClass > members.count {
                throw DataError(.invalidSelection, path: nil, "per_class: \(perClass) but class \(source) has only \(members.count) images")
            }
            // One stream per class so adding a class does not reshuffle the others.
            var rng = SeededRandom(keys: seed, UInt64(source))
            rng.shuffle(&members)
            let n = perClass ?? members.count
            var nVal = Int((Double(n) * fraction).rounded())
            if fraction > 0 && n >= 2 { nVal = min(max(nVal, 1), n - 1) }
            validation += members[0..<nVal]
            train += members[nVal..<n]
        }
        return (train.sorted(), validation.sorted())
    }

    private func explicitPick(labels: [Int], mapping: LabelMapping, train: [Int],
                              validation: [Int]) throws(DataError) -> (train: [Int], validation: [Int]) {
        guard !train.isEmpty else { throw DataError(.invalidSelection, path: nil, "train: empty index list") }
        var seen = Set<Int>()
        for (list, name) in [(train, "train"), (validation, "validation")] {
            for i in list {
                guard i >= 0 && i < labels.count else {
                    throw DataError(.invalidSelection, path: nil, "\(name): index \(i) is outside the source's \(labels.count) images")
                }
                guard mapping.target[labels[i]] != nil else {
                    throw DataError(.invalidSelection, path: nil, "\(name): index \(i) has label \(labels[i]), not one of the selected classes")
                }
                guard seen.insert(i).inserted else {
                    throw DataError(.invalidSelection, path: nil, "\(name): index \(i) appears twice (within or across train/validation)")
                }
            }
        }
        return (train, validation)
    }

    private func relabel(_ images: LabeledImages, _ mapping: LabelMapping, _ names: [String]) -> LabeledImages {
        var out = images
        out.labels = images.labels.map { mapping.target[$0]! }
        out.classNames = names
        return out
    }
}
