/// `status`: a status change, written by the store in the transaction that makes it.
/// `{"status", "previous"?, "attempt"?, "resume"?, "error"?}`; the first event of every job is
/// `{"status": "queued"}`.
public struct StatusEvent: Sendable, Equatable, Codable {
    /// Why a job failed or was parked: the job object's `error`.
    public struct Failure: Sendable, Equatable, Codable {
        /// A `FailureCode` raw value for what thawd writes; kept as text so any stored code decodes.
        public var code: String
        public var message: String

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    /// The job status now and before (`queued`, `running`, ...; the Store's `JobStatus` raw values).
    public var status: String
    public var previous: String?
    /// On a claim: which start this is (1-based), and whether it resumes from a checkpoint.
    public var attempt: Int?
    public var resume: Bool?
    /// On a transition to `failed` (or a park to `paused`).
    public var error: Failure?

    public init(status: String, previous: String? = nil, attempt: Int? = nil, resume: Bool? = nil, error: Failure? = nil) {
        self.status = status
        self.previous = previous
        self.attempt = attempt
        self.resume = resume
        self.error = error
    }
}
