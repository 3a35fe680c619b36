/// `control`: a command applied or refused, or a change the run made itself (gradual or automatic
/// unfreezing, no `id`). `{"id"?, "action", "ok", "problems"? + "error"? (refused), "groups"?
/// (self-made), "trainable", "trainable_layers", "peak_lrs", "lrs", "paused", "from_cache"}`: the
/// state after the command, unchanged when it was refused.
public struct ControlEvent: Sendable, Equatable, Codable {
    public enum Action: String, Sendable, Equatable, Codable, CaseIterable {
        case unfreeze, freeze, lr, pause, resume, stop, cancel
        case gradualUnfreeze = "gradual_unfreeze"
        case autoUnfreeze = "auto_unfreeze"

        /// The action a command acknowledges.
        public init(_ command: ControlCommand) {
            switch command {
            case .unfreeze: self = .unfreeze
            case .freeze: self = .freeze
            case .setLR: self = .lr
            case .pause: self = .pause
            case .resume: self = .resume
            case .stop: self = .stop
            case .cancel: self = .cancel
            }
        }
    }

    /// The command's id; nil for a change the run made itself.
    public var id: String?
    public var action: Action
    public var ok: Bool
    /// Why a command was refused, and the same as one sentence.
    public var problems: [SpecProblem]?
    public var error: String?
    /// Groups a self-made change unfroze.
    public var groups: [String]?
    /// Trainable groups (first to head) and layers afterwards.
    public var trainable: [String]
    public var trainableLayers: [String]
    /// Group → schedule peak, and group → LR now.
    public var peakLRs: [String: Double?]
    public var lrs: [String: Double?]
    public var paused: Bool
    public var fromCache: Bool

    public init(id: String? = nil, action: Action, ok: Bool, problems: [SpecProblem]? = nil, error: String? = nil,
                groups: [String]? = nil, trainable: [String], trainableLayers: [String], peakLRs: [String: Double?],
                lrs: [String: Double?], paused: Bool, fromCache: Bool) {
        self.id = id
        self.action = action
        self.ok = ok
        self.problems = problems
        self.error = error
        self.groups = groups
        self.trainable = trainable
        self.trainableLayers = trainableLayers
        self.peakLRs = peakLRs
        self.lrs = lrs
        self.paused = paused
        self.fromCache = fromCache
    }

    enum CodingKeys: String, CodingKey {
        case id, action, ok, problems, error, groups, trainable, trainableLayers = "trainable_layers",
             peakLRs = "peak_lrs", lrs, paused, fromCache = "from_cache"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id)
        action = try c.decode(Action.self, forKey: .action)
        ok = try c.decode(Bool.self, forKey: .ok)
        problems = try c.decodeIfPresent([SpecProblem].self, forKey: .problems)
        error = try c.decodeIfPresent(String.self, forKey: .error)
        groups = try c.decodeIfPresent([String].self, forKey: .groups)
        trainable = try c.added(.trainable, default: [])
        trainableLayers = try c.added(.trainableLayers, default: [])
        peakLRs = try c.measuredMap(.peakLRs)
        lrs = try c.measuredMap(.lrs)
        paused = try c.added(.paused, default: false)
        fromCache = try c.added(.fromCache, default: false)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encode(action, forKey: .action)
        try c.encode(ok, forKey: .ok)
        try c.encodeIfPresent(problems, forKey: .problems)
        try c.encodeIfPresent(error, forKey: .error)
        try c.encodeIfPresent(groups, forKey: .groups)
        try c.encode(trainable, forKey: .trainable)
        try c.encode(trainableLayers, forKey: .trainableLayers)
        try c.encodeMeasured(peakLRs, forKey: .peakLRs)
        try c.encodeMeasured(lrs, forKey: .lrs)
        try c.encode(paused, forKey: .paused)
        try c.encode(fromCache, forKey: .fromCache)
    }
}
