import Foundation
import JobAPI

/// Counters and gauges rendered in Prometheus' text exposition format (version 0.0.4) for
/// `GET /metrics`. Thread-safe: HTTP handlers and workers update it concurrently.
///
/// Hot paths keep a `PrometheusSeries` handle (`series(_:labels:)`) and update it with one locked
/// add; `increment(_:labels:)` and `set(_:labels:)` render the label set and look the series up on
/// every call, which is fine for the few updates per epoch the workers make.
public final class PrometheusRegistry: @unchecked Sendable {
    public enum Kind: String, Sendable { case counter, gauge }

    private struct Family {
        var help: String
        var kind: Kind
        var samples: [String: PrometheusSeries] = [:]  // rendered label set -> series
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

    /// The series `name{labels}`, created (and from then on part of the exposition) on first use;
    /// the same labels always give the same handle. An undeclared family is created as `kind`.
    public func series(_ name: String, labels: [String: String] = [:], kind: Kind = .counter) -> PrometheusSeries {
        let key = Self.render(labels)
        return lock.withLock {
            if let existing = families[name]?.samples[key] { return existing }
            if families[name] == nil {
                families[name] = Family(help: name, kind: kind)
                order.append(name)
            }
            let created = PrometheusSeries()
            families[name]!.samples[key] = created
            return created
        }
    }

    public func increment(_ name: String, labels: [String: String] = [:], by amount: Double = 1) {
        series(name, labels: labels, kind: .counter).increment(by: amount)
    }

    public func set(_ name: String, labels: [String: String] = [:], to value: Double) {
        series(name, labels: labels, kind: .gauge).set(value)
    }

    public func value(_ name: String, labels: [String: String] = [:]) -> Double? {
        let key = Self.render(labels)
        return lock.withLock { families[name]?.samples[key] }?.value
    }

    /// The exposition text: `# HELP`, `# TYPE`, then one line per label set, sorted for stable output.
    public func exposition() -> String {
        lock.withLock {
            var out = ""
            for name in order {
                guard let family = families[name] else { continue }
                out += "# HELP \(name) \(family.help)\n# TYPE \(name) \(family.kind.rawValue)\n"
                for key in family.samples.keys.sorted() {
                    out += "\(name)\(key) \(Self.format(family.samples[key]!.value))\n"
                }
            }
            return out
        }
    }

    static func render(_ labels: [String: String]) -> String {
        guard !labels.isEmpty else { return "" }
        let pairs = labels.keys.sorted().map { key in "\(key)=\"\(escape(labels[key]!))\"" }
        return "{" + pairs.joined(separator: ",") + "}"
    }

    /// A label value as the exposition format quotes it: `\` → `\\`, `"` → `\"`, newline → `\n`.
    static func escape(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") })
        else { return value }
        var out = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
