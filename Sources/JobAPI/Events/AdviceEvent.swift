/// `advice`: a training diagnosis first appeared. `{"code", "message", "global_epoch"}`.
public struct AdviceEvent: Sendable, Equatable, Codable {
    /// `underfitting`, `overfitting`, `head_untrained`, `diverging` (Training's `Advice.Code`).
    public var code: String
    public var message: String
    /// The 1-based job epoch the advice is about.
    public var globalEpoch: Int

    public init(code: String, message: String, globalEpoch: Int) {
        self.code = code
        self.message = message
        self.globalEpoch = globalEpoch
    }

    enum CodingKeys: String, CodingKey { case code, message, globalEpoch = "global_epoch" }
}
