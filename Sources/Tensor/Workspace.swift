/// One scratch buffer shared by every convolution of a model (darknet's "one workspace sized for
/// the largest layer"). Convolutions lower at most `ConvolutionKernels.maxColumnFloats` floats of
/// im2col at a time, so the buffer stays small whatever the batch size.
///
/// Not thread-safe: one workspace per model, used by one training loop at a time.
public final class Workspace {
    private var buffer: UnsafeMutablePointer<Float>?
    public private(set) var capacity = 0

    public init() {}

    deinit { buffer?.deallocate() }

    /// A buffer of at least `count` floats; contents are unspecified. Valid until the next call.
    public func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity || buffer == nil {
            buffer?.deallocate()
            capacity = max(count, 1)
            buffer = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
        }
        return buffer!
    }
}
