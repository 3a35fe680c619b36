import Foundation
import JobAPI

/// Counters and gauges rendered in Prometheus' text exposition format (version 0.0.4) for
/// `GET /metrics`. Thread-safe: HTTP handlers and workers update it concurrently.
public final class PrometheusRegistry: @unchecked Sendable {
    public enum Kind: String, Sendable { case counter, gauge }

    private struct Family {
        var help: String
        var kind: Kind
        var samples: [String: Double] = [:]  // rendered label set -> value
    }

    private let lock = NSLock()
    private var families: [String: Family] = [:]
    private var order: [String] = []

    public init() {}

    /// Declares a metric family; repeated declarations are harmless.
    public func declare(_ name: String, kind: Kind, help: String) {
        lock.withLock {
            if families[name] == nil {
                families[name] = Family(help: help, kind: kind)
                order.append(name)
            }
        }
    }

    public func increment(_ name: String, labels: [String: String] = [:], by amount: Double = 1) {
        lock.withLock {
            let key = Self.render(labels)
            families[name, default: Family(help: name, kind: .counter)].samples[key, default: 0] += amount
            if !order.contains(name) { order.append(name) }
        }
    }

    public func set(_ name: String, labels: [String: String] = [:], to value: Double) {
        lock.withLock {
            families[name, default: Family(help: name, kind: .gauge)].samples[Self.render(labels)] = value
            if !order.contains(name) { order.append(name) }
        }
    }

    public func value(_ name: String, labels: [String: String] = [:]) -> Double? {
        lock.withLock { families[name]?.samples[Self.render(labels)] }
    }

    /// The exposition text: `# HELP`, `# TYPE`, then one line per label set, sorted for stable output.
    public func exposition() -> String {
        lock.withLock {
            var out = ""
            for name in order {
                guard let family = families[name] else { continue }
                out += "# HELP \(name) \(family.help)\n# TYPE \(name) \(family.kind.rawValue)\n"
                for key in family.samples.keys.sorted() {
                    out += "\(name)\(key) \(Self.format(family.samples[key]!))\n"
                }
            }
            return out
        }
    }

    static func render(_ labels: [String: String]) -> String {
        guard !labels.isEmpty else { return "" }
        let pairs = labels.keys.sorted().map { key in
            let value = labels[key]!
                .replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
            return "\(key)=\"\(value)\""
        }
        return "{" + pairs.joined(separator: ",") + "}"
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
