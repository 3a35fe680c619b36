import Store

/// Which stored checkpoint serves which purpose. A job keeps three kinds (docs/api.md):
/// `best` — weights at the best monitored metric; `epoch` — weights at each epoch end (the newest
/// is what `?checkpoint=last` downloads); `last` — the resume state (weights, optimizer, schedule,
/// RNG, early stopping) of the newest epoch end, which a restarted daemon resumes from.
extension Store {
    func weightsCheckpoint(job: String, which: String) throws -> CheckpointRecord? {
        let all = try checkpoints(job: job)
        let kind: CheckpointKind = which == "best" ? .best : .epoch
        return all.filter { $0.kind == kind }.max { ($0.createdAt, $0.epoch) < ($1.createdAt, $1.epoch) }
    }

    /// The newest `last` checkpoint of `job`: what a restarted run resumes from.
    func resumeCheckpoint(job: String) throws -> CheckpointRecord? {
        try checkpoints(job: job).filter { $0.kind == .last }.max { ($0.createdAt, $0.epoch) < ($1.createdAt, $1.epoch) }
    }
}
