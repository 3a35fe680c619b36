/// Readers for the fields of the small request bodies (models, datasets): names and paths checked as
/// the store counts them (`TextLimits`), integers in a range, lists of names.
extension ObjectReader {
    /// A string of `range` code points without control characters.
    mutating func text(_ key: String, _ range: ClosedRange<Int> = TextLimits.name, required isRequired: Bool = false) -> String? {
        guard let text = string(key, required: isRequired) else { return nil }
        if let problem = TextLimits.problem(text, range) {
            log.add(at(key), problem)
            return nil
        }
        return text
    }

    /// An integer in `range` ("must be in 1...100000, got 0").
    mutating func int(_ key: String, in range: ClosedRange<Int>, required isRequired: Bool = false) -> Int? {
        guard let value = isRequired ? required(key) : value(key) else { return nil }
        return JSONRead.int(value, path: at(key), log: log, in: range)
    }

    /// A list of at most `maxCount` names, each as `text` checks it.
    mutating func names(_ key: String, maxCount: Int) -> [String]? {
        guard let value = value(key), let list = JSONRead.strings(value, path: at(key), log: log) else { return nil }
        guard list.count <= maxCount else {
            log.add(at(key), "lists \(list.count) names; at most \(maxCount) are allowed")
            return nil
        }
        var clean = true
        for (i, name) in list.enumerated() {
            if let problem = TextLimits.problem(name, TextLimits.name) {
                log.add(SpecPath.index(at(key), i), problem)
                clean = false
            }
        }
        return clean ? list : nil
    }
}

extension JSONRead {
    /// An integer in `range`, compared as a Double first: 18446744073709555712 (2^64 + 4096) is out of
    /// 1...100000, not an integer that wraps to 4096.
    static func int(_ value: JSONValue, path: String, log: ProblemLog, in range: ClosedRange<Int>) -> Int? {
        let expectation = "in \(range.lowerBound)...\(range.upperBound)"
        if case .number(let n) = value, n.isFinite, n.rounded() == n,
           n < Double(range.lowerBound) || n > Double(range.upperBound) {
            log.add(path, "must be \(expectation), got \(format(n))")
            return nil
        }
        return int(value, path: path, log: log, expectation) { range.contains($0) }
    }
}

extension ProblemLog {
    /// `value` when nothing was logged, else every problem.
    func result<T>(_ value: T?) -> Result<T, SpecError> {
        guard let value, problems.isEmpty else { return .failure(SpecError(problems: problems)) }
        return .success(value)
    }
}
