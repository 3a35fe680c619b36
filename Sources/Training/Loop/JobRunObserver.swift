import JobAPI
/// The runner's only window on the daemon. The daemon implements it over its store and event stream;
/// the runner calls it from the training thread only, so an implementation needs no locking of its
/// own beyond what its store requires.
public protocol JobRunObserver: AnyObject {
    /// Appends an event: `run`, `phase`, `epoch`, `control`, `checkpoint`, `advice`, `lr_find` or
    /// `test` (JobAPI's `TrainingEvent` spells every payload; JobRunner+Events builds them).
    func emit(_ event: TrainingEvent)
    /// Persists a checkpoint atomically. Called with `.best` on every improvement of the tracked
    /// metric, then with `.epoch` at every epoch end (the latest `.epoch` is the resume point). A throw
    /// fails the job with code `checkpoint_failed`.
    func saveCheckpoint(_ checkpoint: CheckpointPayload) throws
    /// Control commands posted since the last call, oldest first. Called at every batch boundary and
    /// every ~50 ms while paused.
    func takeCommands() -> [PendingCommand]
    /// True once the daemon is shutting down: the runner returns `.interrupted` at the next batch
    /// boundary without finishing the job (it resumes later from the last epoch checkpoint).
    var shouldInterrupt: Bool { get }
}

/// A control command with the id the daemon gave it (echoed in the acknowledging `control` event).
public struct PendingCommand: Sendable, Equatable {
    public var id: String
    public var command: ControlCommand

    public init(id: String, command: ControlCommand) {
        self.id = id
        self.command = command
    }
}
