/// `interrupted`: written by the store when thawd finds the job running or paused at start-up
/// (`crashes` counted for a running one), or releases it at a graceful shutdown (`reason` `shutdown`).
public struct InterruptedEvent: Sendable, Equatable, Codable {
    /// `shutdown`: released at a graceful stop. `lease_expired`: its worker's lease ran out (a node
    /// that died or froze), and another node's sweep took the job back.
    public enum Reason: String, Sendable, Equatable, Codable { case shutdown, leaseExpired = "lease_expired" }

    /// The job's status when it was interrupted (unchanged by the interruption).
    public var status: String
    /// Crashes counted so far (a running job found at start-up only).
    public var crashes: Int?
    public var reason: Reason?

    public init(status: String, crashes: Int? = nil, reason: Reason? = nil) {
        self.status = status
        self.crashes = crashes
        self.reason = reason
    }
}
