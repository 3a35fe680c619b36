/// Everything a job's event log can hold, as the runner, the worker and the store write it and as
/// `GET /v1/jobs/{id}/events` streams it: `type` is the SSE `event:` name, the payload its `data:`.
/// This enum is the one place an event's shape is spelled; writers build cases, readers switch on
/// them, nobody digs keys out of JSON.
public enum TrainingEvent: Sendable, Equatable {
    /// A status change, written by the store on every transition.
    case status(StatusEvent)
    /// The runner's own view of its life cycle: started, resumed, succeeded, stopped, cancelled,
    /// interrupted.
    case run(RunEvent)
    case phase(PhaseEvent)
    case epoch(EpochEvent)
    /// The monitored metric improved and a `best` checkpoint was written.
    case best(BestEvent)
    case checkpoint(CheckpointEvent)
    /// A command applied or refused, or a change the run made itself (gradual/automatic unfreezing).
    case control(ControlEvent)
    case advice(AdviceEvent)
    /// The final evaluation on the test split.
    case test(TestEvent)
    /// An `lr_find` job's curve and suggestions.
    case lrFind(LRFindEvent)

    public var type: EventType {
        switch self {
        case .status: .status
        case .run: .run
        case .phase: .phase
        case .epoch: .epoch
        case .best: .best
        case .checkpoint: .checkpoint
        case .control: .control
        case .advice: .advice
        case .test: .test
        case .lrFind: .lrFind
        }
    }
}

/// The SSE `event:` names of stored events.
public enum EventType: String, Sendable, Equatable, Codable, CaseIterable {
    case status, run, phase, epoch, best, checkpoint, control, advice, test
    case lrFind = "lr_find"
}

/// Why a run ended before its planned epochs (`stop_reason`); null when it completed them.
public enum StopReason: String, Sendable, Equatable, Codable, CaseIterable {
    case userStop = "user_stop"
    case earlyStopping = "early_stopping"
    case nonFiniteLoss = "non_finite_loss"
}

/// `error.code` of a failed (or parked) job.
public enum FailureCode: String, Sendable, Equatable, Codable, CaseIterable {
    case crashedRepeatedly = "crashed_repeatedly"
    case datasetMissing = "dataset_missing"
    case modelMissing = "model_missing"
    case diskFull = "disk_full"
    case engineError = "engine_error"
    case invalidData = "invalid_data"
    case invalidModel = "invalid_model"
    case invalidResume = "invalid_resume"
    case memoryLimitExceeded = "memory_limit_exceeded"
    case preparationFailed = "preparation_failed"
    case checkpointFailed = "checkpoint_failed"
}
