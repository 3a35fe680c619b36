/// Conversions between the public NCHW layout and the engine's internal channel-major (C,N,H,W).
///
/// Why channel-major inside: the im2col GEMM `W[O, C·k·k] × col[C·k·k, N·H'·W']` then writes its
/// output straight into (O,N,H',W') with no transpose, 1x1 stride-1 convolutions need no im2col at
/// all, and BatchNorm's per-channel statistics run over one contiguous block. For C = 1 the two
/// layouts are the same bytes.
public enum Layout {
    /// Swaps the first two axes of a rank-4 tensor: (A,B,H,W) → (B,A,H,W). Serves both directions.
    public static func swapLeadingAxes(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4, "swapLeadingAxes needs rank 4, got \(x.shape)")
        let (a, b, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        if a == 1 || b == 1 { return x.reshaped([b, a, x.shape[2], x.shape[3]]) }
        return Tensor(shape: [b, a, x.shape[2], x.shape[3]]) { out in
            x.withPointer { src in
                let o = UnsafeSendableBox(out)
                Parallel.forEach(b) { j in
                    for i in 0..<a {
                        (o.value + (j * a + i) * plane).update(from: src + (i * b + j) * plane, count: plane)
                    }
                }
            }
        }
    }

    /// NCHW → (C,N,H,W).
    public static func toChannelMajor(_ x: Tensor) -> Tensor { swapLeadingAxes(x) }
    /// (C,N,H,W) → NCHW.
    public static func toBatchMajor(_ x: Tensor) -> Tensor { swapLeadingAxes(x) }
}
