import Foundation

/// A byte count as a flag or config value spells it: `4294967296`, `4GiB`, `512MiB`, `64KiB`
/// (binary units; `G`, `M`, `K` and `GB`, `MB`, `KB` are read as the same binary units).
public enum MemorySize {
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let value = Int(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        let shifts: [String: Int] = ["": 0, "b": 0, "k": 10, "kb": 10, "kib": 10, "m": 20, "mb": 20, "mib": 20,
                                     "g": 30, "gb": 30, "gib": 30, "t": 40, "tb": 40, "tib": 40]
        guard let shift = shifts[unit] else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: 1 << shift)
        return overflow ? nil : bytes
    }

    /// Half the machine's physical memory: the default `--max-job-memory`.
    public static var defaultJobLimit: Int {
        Int(clamping: ProcessInfo.processInfo.physicalMemory / 2)
    }
}
