import Foundation

/// Everything a job's event log holds, as the runner, the worker and the store write it and as
/// `GET /v1/jobs/{id}/events` streams it: `type` is the SSE `event:` name, the payload its `data:`.
/// This enum is the one place an event's shape is spelled; writers build cases, readers switch on
/// them, nobody digs keys out of JSON.
///
/// Codable as `{"type": …, "data": {…}}` (an item of `?format=json`, without `id` and `created_at`);
/// `payload()` / `init(type:payload:)` give the stored and streamed form: the type and the payload's bytes.
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
    /// thawd found the job running or paused at start-up, or released it at shutdown.
    case interrupted(InterruptedEvent)

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
        case .interrupted: .interrupted
        }
    }

    /// The payload as stored and streamed (`Wire.encoder`: sorted keys, no escaped slashes).
    public func payload() throws -> Data {
        let encoder = Wire.encoder()
        switch self {
        case .status(let p): return try encoder.encode(p)
        case .run(let p): return try encoder.encode(p)
        case .phase(let p): return try encoder.encode(p)
        case .epoch(let p): return try encoder.encode(p)
        case .best(let p): return try encoder.encode(p)
        case .checkpoint(let p): return try encoder.encode(p)
        case .control(let p): return try encoder.encode(p)
        case .advice(let p): return try encoder.encode(p)
        case .test(let p): return try encoder.encode(p)
        case .lrFind(let p): return try encoder.encode(p)
        case .interrupted(let p): return try encoder.encode(p)
        }
    }

    /// The payload as JSON text.
    public func payloadText() throws -> String { String(decoding: try payload(), as: UTF8.self) }

    /// Decodes a stored or streamed event. Throws `TrainingEvent.DecodingError.unknownType` for a type
    /// that is not an event of this enum (the stream's own `end`, `shutdown`, `error`, or anything a
    /// newer thawd wrote), and the decoder's error for a payload that does not fit its type.
    public init(type: String, payload: Data) throws {
        guard let known = EventType(rawValue: type) else { throw DecodingError.unknownType(type) }
        try self.init(type: known, payload: payload)
    }

    public init(type: EventType, payload: Data) throws {
        let decoder = Wire.decoder()
        switch type {
        case .status: self = .status(try decoder.decode(StatusEvent.self, from: payload))
        case .run: self = .run(try decoder.decode(RunEvent.self, from: payload))
        case .phase: self = .phase(try decoder.decode(PhaseEvent.self, from: payload))
        case .epoch: self = .epoch(try decoder.decode(EpochEvent.self, from: payload))
        case .best: self = .best(try decoder.decode(BestEvent.self, from: payload))
        case .checkpoint: self = .checkpoint(try decoder.decode(CheckpointEvent.self, from: payload))
        case .control: self = .control(try decoder.decode(ControlEvent.self, from: payload))
        case .advice: self = .advice(try decoder.decode(AdviceEvent.self, from: payload))
        case .test: self = .test(try decoder.decode(TestEvent.self, from: payload))
        case .lrFind: self = .lrFind(try decoder.decode(LRFindEvent.self, from: payload))
        case .interrupted: self = .interrupted(try decoder.decode(InterruptedEvent.self, from: payload))
        }
    }

    public init(type: String, payload: String) throws { try self.init(type: type, payload: Data(payload.utf8)) }

    public enum DecodingError: Error, Equatable, CustomStringConvertible {
        case unknownType(String)

        public var description: String {
            switch self {
            case .unknownType(let type): "'\(type)' is not a job event type"
            }
        }
    }
}

extension TrainingEvent: Codable {
    enum CodingKeys: String, CodingKey { case type, data }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(EventType.self, forKey: .type) {
        case .status: self = .status(try c.decode(StatusEvent.self, forKey: .data))
        case .run: self = .run(try c.decode(RunEvent.self, forKey: .data))
        case .phase: self = .phase(try c.decode(PhaseEvent.self, forKey: .data))
        case .epoch: self = .epoch(try c.decode(EpochEvent.self, forKey: .data))
        case .best: self = .best(try c.decode(BestEvent.self, forKey: .data))
        case .checkpoint: self = .checkpoint(try c.decode(CheckpointEvent.self, forKey: .data))
        case .control: self = .control(try c.decode(ControlEvent.self, forKey: .data))
        case .advice: self = .advice(try c.decode(AdviceEvent.self, forKey: .data))
        case .test: self = .test(try c.decode(TestEvent.self, forKey: .data))
        case .lrFind: self = .lrFind(try c.decode(LRFindEvent.self, forKey: .data))
        case .interrupted: self = .interrupted(try c.decode(InterruptedEvent.self, forKey: .data))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        switch self {
        case .status(let p): try c.encode(p, forKey: .data)
        case .run(let p): try c.encode(p, forKey: .data)
        case .phase(let p): try c.encode(p, forKey: .data)
        case .epoch(let p): try c.encode(p, forKey: .data)
        case .best(let p): try c.encode(p, forKey: .data)
        case .checkpoint(let p): try c.encode(p, forKey: .data)
        case .control(let p): try c.encode(p, forKey: .data)
        case .advice(let p): try c.encode(p, forKey: .data)
        case .test(let p): try c.encode(p, forKey: .data)
        case .lrFind(let p): try c.encode(p, forKey: .data)
        case .interrupted(let p): try c.encode(p, forKey: .data)
        }
    }
}

/// The SSE `event:` names of stored events.
public enum EventType: String, Sendable, Equatable, Codable, CaseIterable {
    case status, run, phase, epoch, best, checkpoint, control, advice, test
    case lrFind = "lr_find"
    case interrupted
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
