/// The views a `DataSelection` yields, all relabelled to `0..<classNames.count`.
public struct SelectedData: Sendable {
    public var train: LabeledImages
    public var validation: LabeledImages
    /// Every test image of the selected classes; nil when the source has no test split.
    public var test: LabeledImages?
    /// Target class names, label order (what a job reports and a model's head is sized for).
    public var classNames: [String]
    /// `sourceClasses[t]` is the source label that became target label `t`.
    public var sourceClasses: [Int]
    /// Source training-split indices of `train` and `validation`, image for image, so a job can
    /// record exactly which images it used and another run can replay them with `.explicit`.
    public var trainIndices: [Int]
    public var validationIndices: [Int]
    /// The whole photo behind each `train` image, image for image, when the run draws
    /// random-resized-crop boxes and the source's images are crops (`PhotoFrames`); nil otherwise.
    public var trainFrames: PhotoFrames? = nil
}
