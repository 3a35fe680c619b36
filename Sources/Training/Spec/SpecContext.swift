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

    public init(groups: [String], modelClasses: Int? = nil, datasetClasses: Int? = nil, datasetSize: Int? = nil) {
        self.groups = groups
        self.modelClasses = modelClasses
        self.datasetClasses = datasetClasses
        self.datasetSize = datasetSize
    }
}
