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

    static func write(_ level: Level, _ message: String) {
        if level == .debug && minimumLevel != .debug { return }
        let stamp = ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withInternetDateTime])
        let line = "\(stamp) thawd[\(level.rawValue)] \(message)\n"
        lock.withLock { FileHandle.standardError.write(Data(line.utf8)) }
    }
}
