/// A job's lifecycle state. The legal moves are a pure table so the daemon can answer 409 for an illegal
/// request before touching anything, and so the Store enforces the same rule inside its transaction.
///
/// ```
/// queued ──▶ running ──▶ succeeded | failed | stopped | cancelled
///   │          ▲  │
///   │          │  ▼
///   │        paused ──▶ failed | stopped | cancelled
///   └──▶ cancelled
/// ```
/// `stopped` = ended early on request, keeping what was trained (a model may be registered);
/// `cancelled` = abandoned, nothing kept. Terminal states have no way out; same-state moves are illegal
/// (pausing a paused job is a 409, not a no-op, so clients learn their view was stale).
public enum JobStatus: String, CaseIterable, Sendable, Codable {
    case queued, running, paused, succeeded, stopped, failed, cancelled

    /// The states this one may move to.
    public var allowedTransitions: Set<JobStatus> {
        switch self {
        case .queued: return [.running, .cancelled]
        case .running: return [.paused, .succeeded, .stopped, .failed, .cancelled]
        case .paused: return [.running, .stopped, .failed, .cancelled]
        case .succeeded, .stopped, .failed, .cancelled: return []
        }
    }

    public func canTransition(to next: JobStatus) -> Bool { allowedTransitions.contains(next) }

    /// `next` if the table allows it, else `StoreError.illegalTransition(from: self, to: next)`.
    public func transition(to next: JobStatus) throws(StoreError) -> JobStatus {
        guard canTransition(to: next) else { throw .illegalTransition(from: self, to: next) }
        return next
    }

    /// No transition leaves a terminal state; `finished_at` is set on entering one.
    public var isTerminal: Bool { allowedTransitions.isEmpty }

    /// Running or paused: a worker owns (or, after a restart, owned) the job's training state.
    public var isActive: Bool { self == .running || self == .paused }
}
