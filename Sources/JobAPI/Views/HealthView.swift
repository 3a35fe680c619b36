/// `GET /healthz`: `{"status": "ok", "version", "uptime_seconds"}` (seconds to the millisecond).
public struct HealthView: Encodable, Sendable, Equatable {
    public var version: String
    public var uptimeSeconds: Double

    public init(version: String, uptimeSeconds: Double) {
        self.version = version
        self.uptimeSeconds = uptimeSeconds
    }

    enum CodingKeys: String, CodingKey { case status, version, uptimeSeconds = "uptime_seconds" }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("ok", forKey: .status)
        try c.encode(version, forKey: .version)
        try c.encode(uptimeSeconds, forKey: .uptimeSeconds)
    }
}
