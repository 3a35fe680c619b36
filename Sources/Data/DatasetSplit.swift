/// Which of a source's own splits to read. Validation is never a source split: it is carved out of
/// `.train` by a `DataSelection`, so the test split stays untouched for final evaluation.
public enum DatasetSplit: String, Sendable, CaseIterable, Codable {
    case train
    case test
}
