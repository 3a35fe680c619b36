import JobAPI

/// Where a job stands between two epochs: everything besides tensors that a resumed run needs to
/// continue exactly as the interrupted one would have. Stored as JSON in the `state` file's metadata.
///
/// Position: `phaseIndex` is the phase running or next to run, `phaseEpoch` the epochs it has
/// completed, and `phaseStarted` whether its start (group state, trackers, optimizer reset) happened.
/// A phase that ended is recorded as the next phase, not started.
public struct RunState: Sendable, Equatable, Codable {
    public static let version = 1

    public var version = RunState.version
    public var jobID: String
    public var phaseIndex = 0
    public var phaseEpoch = 0
    public var phaseStarted = false
    /// Epochs completed over the job.
    public var globalEpoch = 0
    /// Optimizer steps over the job.
    public var globalStep = 0
    /// Steps into the current phase: the schedule's position.
    public var phaseStep = 0
    /// Trainable groups and layers, peak LRs, the user's unfreezes.
    public var groups: GroupState
    /// The job's tracked metric (job early stopping's, else val_loss / train_loss): its best is what
    /// `.best` checkpoints hold.
    public var best: Tracker
    public var jobStopping: EarlyStopping?
    public var phaseStopping: EarlyStopping?
    public var plateau: ReduceOnPlateau?
    public var autoUnfreeze: AutoUnfreezePolicy?
    /// Every completed epoch, oldest first.
    public var history: [EpochMetrics] = []
    /// Epochs in which the head trained (for the `head_untrained` advice).
    public var headTrainedEpochs = 0
    /// Advice codes the last epoch produced (a code is emitted when it first appears).
    public var lastAdviceCodes: [String] = []
    /// Set once the job decided to end early (`early_stopping`, `user_stop`): a resume goes straight
    /// to the final evaluation.
    public var stopReason: StopReason?
    /// Job seed: shuffles are `(seed, job epoch)` functions and augmentation `(seed, epoch, position)`.
    public var seed: UInt64

    public init(jobID: String, groups: GroupState, best: Tracker, seed: UInt64) {
        self.jobID = jobID
        self.groups = groups
        self.best = best
        self.seed = seed
    }
}
