/// One training or evaluation batch, ready for the engine.
public struct Batch: Sendable {
    /// `count * channels * height * width` floats, NCHW, already normalized.
    public var images: [Float]
    /// `count` class labels.
    public var labels: [Int32]
    public var count: Int
    public var channels: Int
    public var height: Int
    public var width: Int
    /// Indices into the `LabeledImages` the batch was drawn from, image for image.
    public var indices: [Int]
    /// Which batch of the epoch this is (0-based).
    public var batchIndex: Int

    public init(images: [Float], labels: [Int32], count: Int, channels: Int, height: Int, width: Int,
                indices: [Int] = [], batchIndex: Int = 0) {
        self.images = images
        self.labels = labels
        self.count = count
        self.channels = channels
        self.height = height
        self.width = width
        self.indices = indices
        self.batchIndex = batchIndex
    }
}
