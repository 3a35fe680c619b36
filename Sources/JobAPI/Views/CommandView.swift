/// The answer to a control command (202): its id, and `status` `pending` until the run applies it, or
/// already `applied`/`rejected` (with `message`) when thawd decided it at once (a queued or parked job).
public struct CommandView: Encodable, Sendable, Equatable {
    public var id: String
    public var jobID: String
    public var action: String
    public var status: String
    public var message: String?

    public init(id: String, jobID: String, action: String, status: String, message: String?) {
        self.id = id
        self.jobID = jobID
        self.action = action
        self.status = status
        self.message = message
    }

    enum CodingKeys: String, CodingKey { case id, object, jobID = "job_id", action, status, message }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode("command", forKey: .object)
        try c.encode(jobID, forKey: .jobID)
        try c.encode(action, forKey: .action)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(message, forKey: .message)
    }
}
