import Foundation
import JobAPI

/// The body of `GET /healthz`: `{"status":"ok","uptime_seconds":U,"version":"V"}`, byte for byte
/// what `HealthView` encodes to through `Wire` (HealthBodyTests checks it), but built from two byte strings made once
/// and the uptime's digits, since probes and load balancers call this route more than any other.
struct HealthBody: Sendable {
    static let shared = HealthBody(version: thawVersion)

    private let prefix: [UInt8]
    private let suffix: [UInt8]

    /// `version` is JSON-escaped once here, by the wire's encoder the other routes use.
    init(version: String) {
        let quoted = (try? Wire.encode(version)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
        prefix = Array(#"{"status":"ok","uptime_seconds":"#.utf8)
        suffix = Array(#","version":\#(quoted)}"#.utf8)
    }

    func bytes(uptimeSeconds: Double) -> [UInt8] {
        let number = Self.number(uptimeSeconds)
        var out = [UInt8]()
        out.reserveCapacity(prefix.count + number.utf8.count + suffix.count)
        out += prefix
        out += number.utf8
        out += suffix
        return out
    }

    /// A finite double as the wire's encoder spells it: Swift's shortest round-trip text without a
    /// trailing `.0` (`18.16`, `3`, `1e+16`). Not finite (a clock gone wrong) is written as 0.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        var text = "\(value)"
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}
