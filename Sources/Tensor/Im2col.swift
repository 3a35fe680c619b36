/// im2col / col2im over channel-major (C,N,H,W) input for a block of images `[n0, n0+nb)`.
///
/// Column matrix: `col[(c·kh + i)·kw + j, (n−n0)·P + oh·W' + ow] = x[c, n, oh·s − p + i, ow·s − p + j]`
/// (zero outside the image), `P = H'·W'`, row stride `nb·P`. Both run on the calling thread: a
/// convolution gives each worker whole blocks of images, so col2im's scatter-add into one block's
/// images has exactly one writer (deterministic).
public enum Im2col {
    public static func lower(
        _ x: UnsafePointer<Float>, batch: Int, first n0: Int, count nb: Int,
        geometry g: Conv2dGeometry, into col: UnsafeMutablePointer<Float>
    ) {
        let (ow, oh, ld) = (g.outW, g.outH, nb * g.outPlane)
        for c in 0..<g.inChannels {
            for i in 0..<g.kernelH {
                for j in 0..<g.kernelW {
                    let row = col + ((c * g.kernelH + i) * g.kernelW + j) * ld
                    // Valid output columns: 0 <= ow·s − p + j < W.
                    let lo = min(ow, max(0, (g.padW - j + g.strideW - 1) / g.strideW))
                    let hi = max(lo, min(ow, (g.inW + g.padW - j + g.strideW - 1) / g.strideW))
                    if g.strideH == 1, g.strideW == 1, ow == g.inW {
                        lowerSameSize(row: row, plane: x + (c * batch + n0) * g.inPlane, count: nb, i: i, j: j, lo: lo, hi: hi, geometry: g)
                        continue
                    }
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

    /// One im2col row (kernel offset `i`, `j`) for `count` images of a stride-1 "same" convolution
    /// (output width = input width). Within an image the valid part is the input plane shifted by
    /// `(i − p)·W + (j − p)`, so it is one contiguous copy from the first valid element to the last;
    /// the few edge columns that copy wraps around are zeroed afterwards, and the rows above or below
    /// the image are zero. Replaces a short copy loop per output row with one copy per plane.
    @inline(__always)
    static func lowerSameSize(
        row: UnsafeMutablePointer<Float>, plane first: UnsafePointer<Float>, count nb: Int, i: Int, j: Int,
        lo: Int, hi: Int, geometry g: Conv2dGeometry
    ) {
        let (w, oh, plane) = (g.inW, g.outH, g.outPlane)
        let ylo = max(0, g.padH - i), yhi = min(oh, g.inH + g.padH - i)
        for n in 0..<nb {
            let dst = row + n * plane, src = first + n * g.inPlane
            guard ylo < yhi, lo < hi else {
                dst.update(repeating: 0, count: plane)
                continue
            }
            if ylo > 0 { dst.update(repeating: 0, count: ylo * w) }
            if yhi < oh { (dst + yhi * w).update(repeating: 0, count: (oh - yhi) * w) }
            let start = ylo * w + lo, end = (yhi - 1) * w + hi
            (dst + start).update(from: src + start + (i - g.padH) * w + (j - g.padW), count: end - start)
            if lo > 0 || hi < w {
                for y in ylo..<yhi {
                    let r = dst + y * w
                    for q in 0..<lo { r[q] = 0 }
                    for q in hi..<w { r[q] = 0 }
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
        for c in 0..<g.inChannels {
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
