/// `run`: the runner's own view of its life cycle. `{"status", "global_epoch", "reason"?}`, `reason`
/// on `stopped` only.
public struct RunEvent: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Equatable, Codable, CaseIterable {
        case started, resumed, succeeded, stopped, cancelled, interrupted
    }

    public var status: Status
    /// Completed epochs over the job when the event was written.
    public var globalEpoch: Int
    public var reason: StopReason?

    public init(status: Status, globalEpoch: Int, reason: StopReason? = nil) {
        self.status = status
        self.globalEpoch = globalEpoch
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey { case status, globalEpoch = "global_epoch", reason }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try c.decode(Status.self, forKey: .status)
        globalEpoch = try c.added(.globalEpoch, default: 0)
        reason = try c.decodeIfPresent(StopReason.self, forKey: .reason)
    }
}
