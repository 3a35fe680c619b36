import JobAPI
/// What the trainer does after an epoch, as decided by early stopping.
public enum StopDecision: String, Sendable, Equatable, Codable {
    case `continue`
    /// Patience ran out in a phase with its own early stopping: restore that phase's best (if asked) and
    /// start the next phase.
    case stopPhase
    /// Patience ran out at job level: end the job, restoring the job's best weights (if asked).
    case stopJob
}

/// Early stopping with best-weights tracking, at job or phase scope (see `EarlyStoppingSpec` for the
/// rules). Stateful and Codable so it survives a resume.
public struct EarlyStopping: Sendable, Equatable, Codable {
    public enum Scope: String, Sendable, Equatable, Codable {
        case job, phase
    }

    public struct Outcome: Sendable, Equatable {
        /// Checkpoint the weights now: they are the best so far (in this scope).
        public var isNewBest: Bool
        public var decision: StopDecision
    }

    public var spec: EarlyStoppingSpec
    public var scope: Scope
    public private(set) var tracker: Tracker

    public init(spec: EarlyStoppingSpec, scope: Scope) {
        self.spec = spec
        self.scope = scope
        self.tracker = Tracker(monitor: spec.monitor, mode: spec.mode, minDelta: spec.minDelta)
    }

    /// Call when a phase starts: job scope restarts the patience count only, phase scope forgets the
    /// best too.
    public mutating func startPhase() {
        switch scope {
        case .job: tracker.restartPatience()
        case .phase: tracker.reset()
        }
    }

    public mutating func afterEpoch(_ metrics: EpochMetrics) -> Outcome {
        let isNewBest = tracker.update(metrics)
        guard !isNewBest, tracker.epochsSinceBest >= spec.patience else {
            return Outcome(isNewBest: isNewBest, decision: .continue)
        }
        return Outcome(isNewBest: false, decision: scope == .job ? .stopJob : .stopPhase)
    }
}
