/// `lr_find`: an `lr_find` job's curve and suggestions. `{"lrs", "losses", "ended_by", "suggestions"}`;
/// `suggestions` is null when the sweep was too short to suggest anything.
public struct LRFindEvent: Sendable, Equatable, Codable {
    /// fastai's `valley` (the default), `steep` and `minimum`.
    public struct Suggestions: Sendable, Equatable, Codable {
        public var valley: Double?
        public var steep: Double?
        public var minimum: Double?

        public init(valley: Double?, steep: Double?, minimum: Double?) {
            self.valley = valley
            self.steep = steep
            self.minimum = minimum
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeMeasured(valley, forKey: .valley)
            try c.encodeMeasured(steep, forKey: .steep)
            try c.encodeMeasured(minimum, forKey: .minimum)
        }
    }

    /// The LR of each batch run, and the smoothed loss after it.
    public var lrs: [Double?]
    public var losses: [Double?]
    /// `completed`, `diverged` or `nonFinite` (Training's `LRFinder.Decision`).
    public var endedBy: String
    public var suggestions: Suggestions?

    public init(lrs: [Double?], losses: [Double?], endedBy: String, suggestions: Suggestions?) {
        self.lrs = lrs
        self.losses = losses
        self.endedBy = endedBy
        self.suggestions = suggestions
    }

    enum CodingKeys: String, CodingKey { case lrs, losses, endedBy = "ended_by", suggestions }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lrs = try c.added(.lrs, default: [])
        losses = try c.added(.losses, default: [])
        endedBy = try c.added(.endedBy, default: "completed")
        suggestions = try c.decodeIfPresent(Suggestions.self, forKey: .suggestions)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeMeasured(lrs, forKey: .lrs)
        try c.encodeMeasured(losses, forKey: .losses)
        try c.encode(endedBy, forKey: .endedBy)
        try c.encode(suggestions, forKey: .suggestions)
    }
}
