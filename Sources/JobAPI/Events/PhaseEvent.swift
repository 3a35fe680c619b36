/// `phase`: a phase `started`, `resumed` (after a restart) or `ended`. `{"event", "phase",
/// "phase_index", "epochs", "open_ended", "trainable", "peak_lrs"}`, plus `reason` and
/// `restored_best` on `ended`.
public struct PhaseEvent: Sendable, Equatable, Codable {
    public enum Change: String, Sendable, Equatable, Codable, CaseIterable { case started, resumed, ended }

    /// Why a phase ended: its epochs ran out, its own or the job's early stopping fired, the user
    /// stopped the job, or the training loss stopped being finite.
    public enum EndReason: String, Sendable, Equatable, Codable, CaseIterable {
        case completed
        case earlyStopping = "early_stopping"
        case userStop = "user_stop"
        case nonFiniteLoss = "non_finite_loss"

        /// The phase end a job-level stop causes.
        public init(_ stop: StopReason) {
            switch stop {
            case .earlyStopping: self = .earlyStopping
            case .userStop: self = .userStop
            case .nonFiniteLoss: self = .nonFiniteLoss
            }
        }
    }

    public var event: Change
    public var phase: String
    /// 0-based position of the phase in the spec.
    public var phaseIndex: Int
    /// Planned epochs of the phase.
    public var epochs: Int
    public var openEnded: Bool
    /// Trainable groups, first to head.
    public var trainable: [String]
    /// Group → schedule peak LR.
    public var peakLRs: [String: Double?]
    /// On `ended` only.
    public var reason: EndReason?
    public var restoredBest: Bool?

    public init(event: Change, phase: String, phaseIndex: Int, epochs: Int, openEnded: Bool, trainable: [String],
                peakLRs: [String: Double?], reason: EndReason? = nil, restoredBest: Bool? = nil) {
        self.event = event
        self.phase = phase
        self.phaseIndex = phaseIndex
        self.epochs = epochs
        self.openEnded = openEnded
        self.trainable = trainable
        self.peakLRs = peakLRs
        self.reason = reason
        self.restoredBest = restoredBest
    }

    enum CodingKeys: String, CodingKey {
        case event, phase, phaseIndex = "phase_index", epochs, openEnded = "open_ended", trainable,
             peakLRs = "peak_lrs", reason, restoredBest = "restored_best"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        event = try c.decode(Change.self, forKey: .event)
        phase = try c.decode(String.self, forKey: .phase)
        phaseIndex = try c.added(.phaseIndex, default: 0)
        epochs = try c.added(.epochs, default: 0)
        openEnded = try c.added(.openEnded, default: false)
        trainable = try c.added(.trainable, default: [])
        peakLRs = try c.measuredMap(.peakLRs)
        reason = try c.decodeIfPresent(EndReason.self, forKey: .reason)
        restoredBest = try c.decodeIfPresent(Bool.self, forKey: .restoredBest)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(event, forKey: .event)
        try c.encode(phase, forKey: .phase)
        try c.encode(phaseIndex, forKey: .phaseIndex)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(openEnded, forKey: .openEnded)
        try c.encode(trainable, forKey: .trainable)
        try c.encodeMeasured(peakLRs, forKey: .peakLRs)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encodeIfPresent(restoredBest, forKey: .restoredBest)
    }
}
