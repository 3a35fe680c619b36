/// One scratch buffer shared by every convolution of a model (darknet's "one workspace sized for
/// the largest layer"). Convolutions lower a bounded block of im2col at a time per worker
/// (`ColumnBlocking`: at most `ConvolutionKernels.maxColumnFloats`, or `maxWidenedFloats` for small
/// planes with many channels), so the buffer stays small whatever the batch size.
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

    /// `slots` disjoint buffers of `count` floats each (one per parallel worker), carved from one
    /// allocation; taken before a parallel region, valid until the next call.
    public func floats(_ count: Int, slots: Int) -> [UnsafeMutablePointer<Float>] {
        let stride = (count + 15) & ~15  // 64-byte apart, so workers never share a cache line
        let base = floats(stride * slots)
        return (0..<slots).map { base + $0 * stride }
    }
}
