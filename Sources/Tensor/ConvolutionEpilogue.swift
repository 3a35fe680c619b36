/// What a convolution's forward pass applies to its output before returning it: an inference-mode
/// BatchNorm folded to a per-channel scale and shift, a residual to add, a ReLU —
/// `y = max(conv(x)·scale + shift + residual, 0)`. The direct kernels apply it to each image's
/// output while it is still in cache, instead of a separate pass (and tensor) per step.
public struct ConvolutionEpilogue: Sendable {
    public var scale: [Float]?, shift: [Float]?
    /// Same shape as the convolution's output, channel-major (C, N, H, W).
    public var residual: Tensor?
    public var relu: Bool

    public init(scale: [Float]? = nil, shift: [Float]? = nil, residual: Tensor? = nil, relu: Bool = false) {
        precondition((scale == nil) == (shift == nil), "scale and shift come together")
        (self.scale, self.shift, self.residual, self.relu) = (scale, shift, residual, relu)
    }

    /// A convolution's `bias` followed by `next`: `(y + bias)·scale + shift` becomes
    /// `y·scale + (bias·scale + shift)`, one shift per channel. Without `next` (or without its
    /// scale) the result is exactly `y + bias`.
    init(bias: UnsafePointer<Float>, channels: Int, then next: ConvolutionEpilogue?) {
        let scale = next?.scale ?? [Float](repeating: 1, count: channels)
        let shift = (0..<channels).map { c in bias[c] * scale[c] + (next?.shift?[c] ?? 0) }
        self.init(scale: scale, shift: shift, residual: next?.residual, relu: next?.relu ?? false)
    }

    /// The kernels read the residual at the output's positions: it must have the output's shape.
    func requireResidual(matching g: Conv2dGeometry, batch: Int) {
        precondition(residual.map { $0.count == g.outChannels * batch * g.outPlane } ?? true,
                     "the residual must have the convolution's output shape")
    }

    /// Pointers to the parts (nil where absent), valid inside `body`.
    func withPointers<R>(_ body: (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?) -> R) -> R {
        func scalePart(_ next: (UnsafePointer<Float>?) -> R) -> R {
            guard let scale else { return next(nil) }
            return scale.withUnsafeBufferPointer { next($0.baseAddress!) }
        }
        func shiftPart(_ next: (UnsafePointer<Float>?) -> R) -> R {
            guard let shift else { return next(nil) }
            return shift.withUnsafeBufferPointer { next($0.baseAddress!) }
        }
        return scalePart { a in shiftPart { b in withOptionalPointer(residual) { r in body(a, b, r) } } }
    }

    /// Applies the epilogue in place to `channels` planes of `plane` floats (the im2col path's
    /// separate pass).
    func apply(to y: UnsafeMutablePointer<Float>, channels: Int, plane: Int) {
        withPointers { scale, shift, residual in
            let box = UnsafeSendableBox((y, scale, shift, residual))
            Parallel.forEach(channels) { c in
                let (y, scale, shift, residual) = box.value
                let row = y + c * plane
                Affine.apply(row, count: plane, scale: scale?[c] ?? 1, shift: shift?[c] ?? 0,
                             adding: residual.map { $0 + c * plane }, relu: relu, into: row)
            }
        }
    }
}
