import BLAS

/// Convolution as im2col + sgemm over channel-major (C,N,H,W) tensors.
///
/// Shapes: input x (C,N,H,W) → output y (O,N,H',W'); weight (O, C·kh·kw) = PyTorch's OIHW storage.
/// Each worker takes contiguous images and cuts them into column blocks (`ColumnBlocking`: blocks
/// of images, or a large image's tiles of output rows, sized to stay in cache between the im2col that
/// writes them and the sgemm that reads them), with its own column buffer and a single-threaded
/// sgemm, so nothing waits on another thread inside a layer. A 1x1 stride-1 convolution is one sgemm
/// on the channel-major input, no copy at all. Results are deterministic for a given thread count
/// (the weight gradient is summed per worker, then over workers in order).
public enum ConvolutionKernels {
    /// Upper bound on one im2col block: 128 Ki floats = 512 KiB (a core's L2 holds it with the
    /// sgemm's packed panels).
    public static let maxColumnFloats = 1 << 17

    /// Images per im2col block for this geometry (1 when images are cut into row tiles, see
    /// `ColumnBlocking`).
    public static func blockSize(_ g: Conv2dGeometry, batch: Int) -> Int {
        ColumnBlocking(g, batch: batch).images
    }

    /// y = conv(x, weight) + bias, then the `epilogue` if any. `y` is fully overwritten.
    public static func forward(
        x: UnsafePointer<Float>, batch: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        geometry g: Conv2dGeometry, y: UnsafeMutablePointer<Float>, epilogue: ConvolutionEpilogue? = nil,
        workspace: Workspace
    ) {
        // A bias is one more per-channel shift: it rides on the epilogue like a BatchNorm's.
        let epilogue = bias.map { ConvolutionEpilogue(bias: $0, channels: g.outChannels, then: epilogue) } ?? epilogue
        if WinogradConvolution.applies(to: g) {
            WinogradConvolution.forward(x: x, batch: batch, weight: weight, geometry: g, y: y, epilogue: epilogue,
                                        workspace: workspace)
            return
        }
        if DirectConvolution.applies(to: g) {
            DirectConvolution.forward(x: x, batch: batch, weight: weight, geometry: g, y: y, epilogue: epilogue,
                                      workspace: workspace)
            return
        }
        let (o, p, k) = (g.outChannels, g.outPlane, g.colRows)
        let ldy = batch * p
        let (xP, wP, yP) = (UnsafeSendableBox(x), UnsafeSendableBox(weight), UnsafeSendableBox(y))
        if g.isPointwise {
            // Columns of the output split over workers: each writes its own slice.
            let chunk = 256
            Parallel.forEachWorker((ldy + chunk - 1) / chunk) { _, range in
                let lo = range.lowerBound * chunk, hi = min(ldy, range.upperBound * chunk)
                BLAS.sgemm(m: o, n: hi - lo, k: k, a: wP.value, lda: k, b: xP.value + lo, ldb: ldy, c: yP.value + lo, ldc: ldy)
            }
        } else {
            let plan = ColumnBlocking(g, batch: batch), ow = g.outW
            let cols = workspace.floats(plan.columnFloats(g), slots: Parallel.workers(for: batch)).map(UnsafeSendableBox.init)
            Parallel.forEachWorker(batch) { w, images in
                let col = cols[w].value
                plan.forEachBlock(of: images) { n0, cnt, rows in
                    Im2col.lower(xP.value, batch: batch, first: n0, count: cnt, rows: rows, geometry: g, into: col)
                    let n = cnt * rows.count * ow
                    BLAS.sgemm(m: o, n: n, k: k, a: wP.value, lda: k, b: col, ldb: n,
                               c: yP.value + n0 * p + rows.lowerBound * ow, ldc: ldy)
                }
            }
        }
        epilogue?.apply(to: y, channels: o, plane: ldy)
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
        let (xP, dyP, wP) = (UnsafeSendableBox(x), UnsafeSendableBox(dOutput), UnsafeSendableBox(weight))
        if let dBias {
            let dbP = UnsafeSendableBox(dBias)
            Parallel.forEach(o) { c in dbP.value[c] = Reduce.sum(dyP.value + c * ldy, ldy) }
        }
        if g.isPointwise {
            if let dWeight {
                // Rows of dW (output channels) split over workers; each row reduces over the whole batch.
                let dwP = UnsafeSendableBox(dWeight)
                Parallel.forEachWorker(o) { _, rows in
                    BLAS.sgemm(transB: true, m: rows.count, n: k, k: ldy, a: dyP.value + rows.lowerBound * ldy, lda: ldy,
                               b: xP.value, ldb: ldy, c: dwP.value + rows.lowerBound * k, ldc: k)
                }
            }
            if let dInput {
                let dxP = UnsafeSendableBox(dInput), chunk = 256
                Parallel.forEachWorker((ldy + chunk - 1) / chunk) { _, range in
                    let lo = range.lowerBound * chunk, hi = min(ldy, range.upperBound * chunk)
                    BLAS.sgemm(transA: true, m: k, n: hi - lo, k: o, a: wP.value, lda: k, b: dyP.value + lo, ldb: ldy,
                               c: dxP.value + lo, ldc: ldy)
                }
            }
            return
        }
        var dInput = dInput
        if let dx = dInput, WinogradConvolution.appliesToInputGradient(g) {
            WinogradConvolution.inputGradient(dOutput: dOutput, batch: batch, weight: weight, geometry: g,
                                              dInput: dx, workspace: workspace)
            dInput = nil
        } else if let dx = dInput, DirectConvolution.appliesToInputGradient(g) {
            DirectConvolution.inputGradient(dOutput: dOutput, batch: batch, weight: weight, geometry: g,
                                            dInput: dx, workspace: workspace)
            dInput = nil
        }
        var dWeight = dWeight
        if let dw = dWeight, DirectConvolution.appliesToWeightGradient(g) {
            DirectConvolution.weightGradient(x: x, dOutput: dOutput, batch: batch, geometry: g, dWeight: dw,
                                             workspace: workspace)
            dWeight = nil
        }
        guard dWeight != nil || dInput != nil else { return }
        let plan = ColumnBlocking(g, batch: batch), ow = g.outW
        let workers = Parallel.workers(for: batch)
        // Per worker: a column buffer and (after the first worker, which writes dW itself) a partial dW.
        let colFloats = plan.columnFloats(g), partialFloats = dWeight == nil ? 0 : o * k
        let slots = workspace.floats(colFloats + partialFloats, slots: workers).map(UnsafeSendableBox.init)
        let dwTarget = UnsafeSendableBox(dWeight), dxTarget = UnsafeSendableBox(dInput)
        // A 1x1 convolution's col2im stores every dx element once; the others add into dx, which each
        // worker zeroes for its own images first (in parallel, not one pass over the whole batch).
        let scatter = Im2col.scatters(g)
        let (c, inPlane) = (g.inChannels, g.inPlane)
        Parallel.forEachWorker(batch) { w, images in
            let col = slots[w].value
            let dW = w == 0 ? dwTarget.value : dwTarget.value.map { _ in col + colFloats }
            var first = true
            plan.forEachBlock(of: images) { n0, cnt, rows in
                let n = cnt * rows.count * ow, dy = dyP.value + n0 * p + rows.lowerBound * ow
                if let dW {
                    Im2col.lower(xP.value, batch: batch, first: n0, count: cnt, rows: rows, geometry: g, into: col)
                    BLAS.sgemm(transB: true, m: o, n: k, k: n, a: dy, lda: ldy, b: col, ldb: n,
                               beta: first ? 0 : 1, c: dW, ldc: k)
                    first = false
                }
                if let dx = dxTarget.value {
                    BLAS.sgemm(transA: true, m: k, n: n, k: o, a: wP.value, lda: k, b: dy, ldb: ldy, c: col, ldc: n)
                    if scatter {
                        Im2col.scatter(col, batch: batch, first: n0, count: cnt, rows: rows, geometry: g, into: dx)
                    } else {
                        if rows.lowerBound == 0 {
                            for ch in 0..<c { (dx + (ch * batch + n0) * inPlane).update(repeating: 0, count: cnt * inPlane) }
                        }
                        Im2col.accumulate(col, batch: batch, first: n0, count: cnt, rows: rows, geometry: g, into: dx)
                    }
                }
            }
        }
        if let dWeight, workers > 1 {
            // Worker partials added in worker order: the same sum for the same thread count.
            for w in 1..<workers {
                BLAS.saxpy(n: o * k, alpha: 1, x: slots[w].value + colFloats, y: dWeight)
            }
        }
    }
}
