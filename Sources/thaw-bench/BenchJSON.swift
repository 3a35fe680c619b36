import Foundation

/// Minimal ordered JSON-line writer for benchmark output.
enum BenchJSON {
    enum Value {
        case string(String), int(Int), double(Double), bool(Bool)
        /// A number with `digits` decimals (accuracies need more than `.double`'s one).
        case fixed(Double, digits: Int)
        var json: String {
            switch self {
            case let .string(s): "\"\(s)\""
            case let .int(i): "\(i)"
            // One decimal for large figures, four significant digits for small ones (0.0376 %, not 0.0).
            case let .double(d):
                !d.isFinite ? "null" : abs(d) >= 100 || d == 0 ? String(format: "%.1f", d) : String(format: "%.4g", d)
            case let .bool(b): "\(b)"
            case let .fixed(d, digits): d.isFinite ? String(format: "%.\(digits)f", d) : "null"
            }
        }
    }

    static func line(_ fields: [(String, Value)]) -> String {
        "{" + fields.map { "\"\($0.0)\":\($0.1.json)" }.joined(separator: ",") + "}"
    }

    /// Peak resident set (VmHWM) of this process, MiB.
    static func peakRSSMiB() -> Double {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return -1 }
        return kb / 1024
    }
}
