import BLAS

/// Convolution as im2col + one sgemm per block of images, over channel-major (C,N,H,W) tensors.
///
/// Shapes: input x (C,N,H,W) → output y (O,N,H',W'); weight (O, C·kh·kw) = PyTorch's OIHW storage.
/// The batch is cut into blocks whose column matrix fits `maxColumnFloats`, which bounds the
/// workspace (and so peak memory) independently of the batch size; block boundaries depend only
/// on shapes, never on the thread count, so results are deterministic.
public enum ConvolutionKernels {
    /// Upper bound on one im2col block: 4 Mi floats = 16 MiB.
    public static let maxColumnFloats = 1 << 20

    /// Images per im2col block for this geometry.
    public static func blockSize(_ g: Conv2dGeometry, batch: Int) -> Int {
        max(1, min(batch, maxColumnFloats / max(1, g.colRows * g.outPlane)))
    }

    /// y = conv(x, weight) + bias. `y` is fully overwritten.
    public static func forward(
        x: UnsafePointer<Float>, batch: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        geometry g: Conv2dGeometry, y: UnsafeMutablePointer<Float>, workspace: Workspace
    ) {
        let (o, p, k) = (g.outChannels, g.outPlane, g.colRows)
        let ldy = batch * p
        if g.isPointwise {
            BLAS.sgemm(m: o, n: ldy, k: k, a: weight, lda: k, b: x, ldb: ldy, c: y, ldc: ldy)
        } else {
            let nb = blockSize(g, batch: batch)
            let col = workspace.floats(k * nb * p)
            var n0 = 0
            while n0 < batch {
                let cnt = min(nb, batch - n0)
                Im2col.lower(x, batch: batch, first: n0, count: cnt, geometry: g, into: col)
                BLAS.sgemm(m: o, n: cnt * p, k: k, a: weight, lda: k, b: col, ldb: cnt * p, c: y + n0 * p, ldc: ldy)
                n0 += cnt
            }
        }
        if let bias {
            let yP = UnsafeSendableBox(y)
            Parallel.forEach(o) { c in
                let row = yP.value + c * ldy, b = bias[c]
                for i in 0..<ldy { row[i] += b }
            }
        }
    }

    /// Gradients of `forward`. Each output is optional: pass nil for what is not needed (a frozen
    /// layer asks only for `dInput`; the lowest trainable layer only for `dWeight`).
    /// `dWeight`, `dBias` and `dInput` are overwritten, not accumulated.
    public static func backward(
        x: UnsafePointer<Float>, dOutput: UnsafePointer<Float>, batch: Int, weight: UnsafePointer<Float>,
        geometry g: Conv2dGeometry, dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?,
        dInput: UnsafeMutablePointer<Float>?, workspace: Workspace
    ) {
        let (o, p, k) = (g.outChannels, g.outPlane, g.colRows)
        let ldy = batch * p
        if let dBias {
            let dbP = UnsafeSendableBox(dBias)
            Parallel.forEach(o) { c in dbP.value[c] = Reduce.sum(dOutput + c * ldy, ldy) }
        }
        if g.isPointwise {
            if let dWeight {
                BLAS.sgemm(transB: true, m: o, n: k, k: ldy, a: dOutput, lda: ldy, b: x, ldb: ldy, c: dWeight, ldc: k)
            }
            if let dInput {
                BLAS.sgemm(transA: true, m: k, n: ldy, k: o, a: weight, lda: k, b: dOutput, ldb: ldy, c: dInput, ldc: ldy)
            }
            return
        }
        guard dWeight != nil || dInput != nil else { return }
        if let dInput { dInput.update(repeating: 0, count: g.inChannels * batch * g.inPlane) }
        let nb = blockSize(g, batch: batch)
        let col = workspace.floats(k * nb * p)
        var n0 = 0
        while n0 < batch {
            let cnt = min(nb, batch - n0)
            if let dWeight {
                Im2col.lower(x, batch: batch, first: n0, count: cnt, geometry: g, into: col)
                BLAS.sgemm(transB: true, m: o, n: k, k: cnt * p, a: dOutput + n0 * p, lda: ldy, b: col, ldb: cnt * p,
                           beta: n0 == 0 ? 0 : 1, c: dWeight, ldc: k)
            }
            if let dInput {
                BLAS.sgemm(transA: true, m: k, n: cnt * p, k: o, a: weight, lda: k, b: dOutput + n0 * p, ldb: ldy,
                           c: col, ldc: cnt * p)
                Im2col.accumulate(col, batch: batch, first: n0, count: cnt, geometry: g, into: dInput)
            }
            n0 += cnt
        }
    }
}
