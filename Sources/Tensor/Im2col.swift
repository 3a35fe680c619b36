/// im2col / col2im over channel-major (C,N,H,W) input for a block of images `[n0, n0+nb)`.
///
/// Column matrix: `col[(c·kh + i)·kw + j, (n−n0)·P + oh·W' + ow] = x[c, n, oh·s − p + i, ow·s − p + j]`
/// (zero outside the image), `P = H'·W'`, row stride `nb·P`. Work is split over input channels, so
/// col2im's scatter-add has exactly one writer per input element (deterministic).
public enum Im2col {
    public static func lower(
        _ x: UnsafePointer<Float>, batch: Int, first n0: Int, count nb: Int,
        geometry g: Conv2dGeometry, into col: UnsafeMutablePointer<Float>
    ) {
        let (ow, oh, ld) = (g.outW, g.outH, nb * g.outPlane)
        let (colP, xP) = (UnsafeSendableBox(col), UnsafeSendableBox(x))
        Parallel.forEach(g.inChannels) { c in
            let col = colP.value, x = xP.value
            for i in 0..<g.kernelH {
                for j in 0..<g.kernelW {
                    let row = col + ((c * g.kernelH + i) * g.kernelW + j) * ld
                    // Valid output columns: 0 <= ow·s − p + j < W.
                    let lo = min(ow, max(0, (g.padW - j + g.strideW - 1) / g.strideW))
                    let hi = max(lo, min(ow, (g.inW + g.padW - j + g.strideW - 1) / g.strideW))
                    for n in 0..<nb {
                        let plane = x + (c * batch + n0 + n) * g.inPlane
                        for y in 0..<oh {
                            let dst = row + n * g.outPlane + y * ow
                            let ih = y * g.strideH - g.padH + i
                            if ih < 0 || ih >= g.inH {
                                for q in 0..<ow { dst[q] = 0 }
                                continue
                            }
                            var q = 0
                            while q < lo { dst[q] = 0; q += 1 }
                            q = hi
                            while q < ow { dst[q] = 0; q += 1 }
                            let src = plane + ih * g.inW - g.padW + j
                            if g.strideW == 1 {
                                // Rows are short (W' ≤ 56 here): an inline loop beats a memmove call.
                                q = lo
                                while q < hi { dst[q] = src[q]; q += 1 }
                            } else {
                                var q = lo
                                while q < hi { dst[q] = src[q * g.strideW]; q += 1 }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds the columns back into `dx` (C,N,H,W) for images `[n0, n0+nb)`: the adjoint of `lower`.
    public static func accumulate(
        _ col: UnsafePointer<Float>, batch: Int, first n0: Int, count nb: Int,
        geometry g: Conv2dGeometry, into dx: UnsafeMutablePointer<Float>
    ) {
        let (ow, oh, ld) = (g.outW, g.outH, nb * g.outPlane)
        let (colP, dxP) = (UnsafeSendableBox(col), UnsafeSendableBox(dx))
        Parallel.forEach(g.inChannels) { c in
            let col = colP.value, dx = dxP.value
            for i in 0..<g.kernelH {
                for j in 0..<g.kernelW {
                    let row = col + ((c * g.kernelH + i) * g.kernelW + j) * ld
                    let lo = min(ow, max(0, (g.padW - j + g.strideW - 1) / g.strideW))
                    let hi = max(lo, min(ow, (g.inW + g.padW - j + g.strideW - 1) / g.strideW))
                    for n in 0..<nb {
                        let plane = dx + (c * batch + n0 + n) * g.inPlane
                        for y in 0..<oh {
                            let ih = y * g.strideH - g.padH + i
                            if ih < 0 || ih >= g.inH { continue }
                            let src = row + n * g.outPlane + y * ow
                            let dst = plane + ih * g.inW - g.padW + j
                            var q = lo
                            if g.strideW == 1 {
                                while q < hi { dst[q] += src[q]; q += 1 }
                            } else {
                                while q < hi { dst[q * g.strideW] += src[q]; q += 1 }
                            }
                        }
                    }
                }
            }
        }
    }
}
