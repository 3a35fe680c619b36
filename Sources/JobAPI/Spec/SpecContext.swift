/// What the daemon knows about the model and dataset a job names, for the checks a spec cannot make
/// alone (group names, class counts, index ranges). Nil fields skip their checks.
public struct SpecContext: Sendable, Equatable {
    /// The model's layer groups, first to head (small-cnn: block1, block2, head).
    public var groups: [String]
    /// Outputs of the registered model's current head; nil for a built-in trained from scratch.
    public var modelClasses: Int?
    /// Number of classes in the dataset.
    public var datasetClasses: Int?
    /// Number of images in the dataset's training split (fixed-split indices must be below it).
    public var datasetSize: Int?
    /// The model's own per-image input shape (C,H,W); `input_size` must keep its C.
    public var inputShape: [Int]?

    public init(groups: [String], modelClasses: Int? = nil, datasetClasses: Int? = nil, datasetSize: Int? = nil,
                inputShape: [Int]? = nil) {
        self.inputShape = inputShape
        self.groups = groups
        self.modelClasses = modelClasses
        self.datasetClasses = datasetClasses
        self.datasetSize = datasetSize
    }
}
