import JobAPI

/// Applies a run's control commands, one at a time, at batch boundaries. A pure value: it owns the
/// run's pause flag (the only control state that is not checkpointed: a resumed job is running) and
/// computes what a command does to the group state; the runner carries it out (sets the groups,
/// re-syncs trainability and the schedule, emits the acknowledgement) from the returned `Applied`.
struct ControlApplier: Equatable {
    /// Set by `pause`, cleared by `resume`; while it holds the runner polls for commands instead of
    /// training.
    private(set) var paused = false

    /// What the run does after the command.
    enum Decision: Equatable {
        /// Go on (with the next command, or the batch).
        case proceed
        /// `stop`: end the job early, keeping the best weights.
        case stop
        /// `cancel`: end the job, no final evaluation.
        case cancel
    }

    /// One command's effect.
    struct Applied: Equatable {
        var decision: Decision
        /// The group state after the command; nil when it leaves the groups alone (pause, resume,
        /// stop, cancel, or a command refused).
        var groups: GroupState?
        /// Why the command was refused, nothing changed; nil when it applied.
        var problems: [SpecProblem]?
    }

    /// Applies `command` to a run whose groups are `groups`. A group command the state refuses (a
    /// freeze that would leave nothing trainable, ...) changes nothing and comes back with its problems.
    mutating func apply(_ command: ControlCommand, to groups: GroupState) -> Applied {
        switch command {
        case .pause:
            paused = true
        case .resume:
            paused = false
        case .stop:
            return Applied(decision: .stop)
        case .cancel:
            return Applied(decision: .cancel)
        case .unfreeze, .freeze, .setLR:
            switch groups.applying(command) {
            case .success(let next): return Applied(decision: .proceed, groups: next)
            case .failure(let error): return Applied(decision: .proceed, problems: error.problems)
            }
        }
        return Applied(decision: .proceed)
    }
}
