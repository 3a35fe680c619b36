import JobAPI
/// One checkpoint as bytes, for the daemon to write atomically and record. The runner never touches
/// the disk: it produces files, the daemon owns durability (temp file, fsync, rename, SHA-256).
///
/// - `weights`: a safetensors file holding exactly the model's PyTorch state dict (strict-loadable),
///   with `__metadata__` describing the model (see `WeightsFile`).
/// - `state` (epoch checkpoints only): a safetensors file with optimizer and best-weights tensors and
///   the JSON `RunState` in its `__metadata__` (see `ResumeState`). Best checkpoints are weights only:
///   they exist to be restored or exported, not resumed from.
public struct CheckpointPayload: Sendable {
    public enum Kind: String, Sendable, Equatable, Codable {
        /// Written at every epoch end; the latest one is the job's "last" checkpoint and its resume point.
        case epoch
        /// Written whenever the job's tracked metric improves.
        case best
    }

    public var kind: Kind
    /// 0-based index of the phase the epoch belongs to.
    public var phaseIndex: Int
    public var phaseName: String
    /// 1-based epoch within the phase.
    public var epoch: Int
    /// 1-based epoch over the whole job.
    public var globalEpoch: Int
    /// `train_loss`, `val_loss`, `val_accuracy` of the epoch (absent when not measured).
    public var metrics: [String: Double]
    public var weights: [UInt8]
    public var state: [UInt8]?

    public init(kind: Kind, phaseIndex: Int, phaseName: String, epoch: Int, globalEpoch: Int,
                metrics: [String: Double], weights: [UInt8], state: [UInt8]?) {
        self.kind = kind
        self.phaseIndex = phaseIndex
        self.phaseName = phaseName
        self.epoch = epoch
        self.globalEpoch = globalEpoch
        self.metrics = metrics
        self.weights = weights
        self.state = state
    }
}

extension CheckpointPayload {
    /// The `checkpoint` event announcing this checkpoint. The runner emits it after `saveCheckpoint`
    /// returns; the daemon also stores it in the same transaction as the resume point, so a crash
    /// right after that commit cannot lose it (the epoch is not re-run after the resume).
    public var event: CheckpointEvent {
        CheckpointEvent(kind: kind == .best ? .best : .epoch, phase: phaseName, phaseIndex: phaseIndex, epoch: epoch,
                        globalEpoch: globalEpoch, metrics: metrics.mapValues { Optional($0) },
                        bytes: weights.count + (state?.count ?? 0))
    }

    /// The `best` event a `.best` checkpoint stands for: where the epoch sits and its metrics.
    public var bestEvent: BestEvent {
        BestEvent(phase: phaseName, epoch: epoch, globalEpoch: globalEpoch, metrics: metrics.mapValues { Optional($0) })
    }
}
