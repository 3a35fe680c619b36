import Foundation

/// Line-oriented log to standard error: `2026-11-23T12:00:00Z thawd[level] message`. One write per
/// line so lines from different threads never interleave.
public enum Log {
    public enum Level: String, Sendable { case debug, info, warning, error }

    nonisolated(unsafe) public static var minimumLevel: Level = .info
    private static let lock = NSLock()

    public static func debug(_ message: @autoclosure () -> String) { write(.debug, message()) }
    public static func info(_ message: @autoclosure () -> String) { write(.info, message()) }
    public static func warning(_ message: @autoclosure () -> String) { write(.warning, message()) }
    public static func error(_ message: @autoclosure () -> String) { write(.error, message()) }

    /// `message` with control characters written as escapes (`\n`, `\r`, `\t`, `\u{1B}`, and the
    /// C1 controls and U+2028/U+2029 line separators too), so text a client chose (a request
    /// path with `%0A`, a job name) can never start a forged log line or drive a terminal.
    public static func escaped(_ message: String) -> String {
        guard message.unicodeScalars.contains(where: isControl) else { return message }
        var out = String.UnicodeScalarView()
        for scalar in message.unicodeScalars {
            guard isControl(scalar) else {
                out.append(scalar)
                continue
            }
            let escape: String
            switch scalar {
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            default: escape = "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            }
            out.append(contentsOf: escape.unicodeScalars)
        }
        return String(out)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    static func write(_ level: Level, _ message: String) {
        if level == .debug && minimumLevel != .debug { return }
        let stamp = ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withInternetDateTime])
        let line = "\(stamp) thawd[\(level.rawValue)] \(escaped(message))\n"
        lock.withLock { FileHandle.standardError.write(Data(line.utf8)) }
    }
}
