/// Sizes of one 2-D convolution (or pooling window) applied to an `inH x inW` plane.
/// Output size follows PyTorch: `floor((in + 2·pad − kernel) / stride) + 1`.
public struct Conv2dGeometry: Sendable, Equatable {
    public var inChannels: Int
    public var outChannels: Int
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var padH: Int, padW: Int
    public var inH: Int, inW: Int

    public init(inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, inH: Int, inW: Int) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        (kernelH, kernelW, strideH, strideW, padH, padW) = (kernel, kernel, stride, stride, padding, padding)
        (self.inH, self.inW) = (inH, inW)
    }

    public var outH: Int { (inH + 2 * padH - kernelH) / strideH + 1 }
    public var outW: Int { (inW + 2 * padW - kernelW) / strideW + 1 }
    /// Output positions per image (H'·W').
    public var outPlane: Int { outH * outW }
    public var inPlane: Int { inH * inW }
    /// Rows of the im2col matrix: C·kh·kw (the GEMM's K).
    public var colRows: Int { inChannels * kernelH * kernelW }
    /// A 1x1, stride-1, unpadded convolution is a plain GEMM over the input: no im2col.
    public var isPointwise: Bool { kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0 }
    /// Multiply-adds ×2 for one image.
    public var flopsPerImage: Int { 2 * outChannels * outPlane * colRows }
}
