/// Lengths of names and labels, counted as the store counts them: SQLite's `length()` of a TEXT
/// value is its number of Unicode code points (before the first NUL), so the checks here count
/// `unicodeScalars`, not Swift's grapheme clusters (200 combining marks are one `Character` but 200
/// code points). Control characters (NUL included) are refused in names: they would cut SQLite's
/// count short and forge log lines.
public enum TextLimits {
    /// Job, model and dataset names (the store's CHECK: 1 to 256).
    public static let name = 1...256
    /// Phase names (`job_metrics.phase`: 1 to 64).
    public static let phaseName = 1...64
    /// Ids a client sends back (model, dataset, paging cursors) and layer-group names.
    public static let identifier = 1...256
    /// Dataset paths relative to the dataset root.
    public static let path = 1...4096

    /// Nil when `text` is 1...range.upperBound code points without control characters, else the
    /// reason ("must be 1 to 64 characters ...").
    public static func problem(_ text: String, _ range: ClosedRange<Int>) -> String? {
        let count = text.unicodeScalars.count
        guard range.contains(count) else {
            return count == 0 ? "must not be empty"
                : "must be \(range.lowerBound) to \(range.upperBound) characters (Unicode code points), got \(count)"
        }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "must not contain control characters"
        }
        return nil
    }
}
