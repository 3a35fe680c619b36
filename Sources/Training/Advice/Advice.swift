/// A suggestion the trainer emits as an event while a job runs; never acted on without the user
/// (except by the opt-in `auto_unfreeze` policy).
public struct Advice: Sendable, Equatable, Codable {
    public enum Code: String, Sendable, Equatable, Codable, CaseIterable {
        /// Training loss stays above validation loss: the model has capacity to spare.
        case underfitting
        /// Validation loss rises while training loss falls (with the body trainable: catastrophic
        /// forgetting of the pretrained features).
        case overfitting
        /// The pretrained body trains while the new, randomly initialised head has not trained yet:
        /// its large early gradients wash through the body.
        case headUntrained = "head_untrained"
        /// The training loss is not finite or has blown up.
        case diverging
    }

    public var code: Code
    public var message: String
    /// The job epoch the advice is about.
    public var epoch: Int

    public init(code: Code, message: String, epoch: Int) {
        self.code = code
        self.message = message
        self.epoch = epoch
    }
}
