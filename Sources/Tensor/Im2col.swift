import CConvKernels

/// im2col / col2im over channel-major (C,N,H,W) input for a block of images `[n0, n0+nb)` and output
/// rows `rows` of each (all of them by default).
///
/// Column matrix: `col[(c·kh + i)·kw + j, (n−n0)·R·W' + (oh−r0)·W' + ow] = x[c, n, oh·s − p + i, ow·s − p + j]`
/// (zero outside the image), `R = rows.count`, `r0 = rows.lowerBound`, row stride `nb·R·W'`. A row
/// range lets a layer whose one image is a large matrix (the 7x7 stem: 147 x H'W') be lowered an
/// L2-sized panel at a time. All run on the calling thread: a convolution gives each worker whole
/// images, so col2im's scatter-add into one block's images has exactly one writer (deterministic).
public enum Im2col {
    public static func lower(
        _ x: UnsafePointer<Float>, batch: Int, first n0: Int, count nb: Int, rows: Range<Int>? = nil,
        geometry g: Conv2dGeometry, into col: UnsafeMutablePointer<Float>
    ) {
        let rows = rows ?? 0..<g.outH
        if rows == 0..<g.outH, g.strideH == 1, g.strideW == 1, g.outW == g.inW {
            let ld = nb * g.outPlane
            for c in 0..<g.inChannels {
                for i in 0..<g.kernelH {
                    for j in 0..<g.kernelW {
                        // Valid output columns: 0 <= ow − p + j < W.
                        let lo = min(g.outW, max(0, g.padW - j)), hi = max(lo, min(g.outW, g.inW + g.padW - j))
                        lowerSameSize(row: col + ((c * g.kernelH + i) * g.kernelW + j) * ld,
                                      plane: x + (c * batch + n0) * g.inPlane, count: nb, i: i, j: j, lo: lo, hi: hi, geometry: g)
                    }
                }
            }
            return
        }
        var s = shape(g)
        thaw_im2col(x + n0 * g.inPlane, batch * g.inPlane, g.inPlane, &s, Int32(nb), Int32(rows.lowerBound),
                    Int32(rows.count), col)
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

    /// Adds the columns back into `dx` (C,N,H,W) for images `[n0, n0+nb)` and output rows `rows`:
    /// the adjoint of `lower`.
    public static func accumulate(
        _ col: UnsafePointer<Float>, batch: Int, first n0: Int, count nb: Int, rows: Range<Int>? = nil,
        geometry g: Conv2dGeometry, into dx: UnsafeMutablePointer<Float>
    ) {
        let rows = rows ?? 0..<g.outH
        var s = shape(g)
        thaw_col2im_add(col, &s, Int32(nb), Int32(rows.lowerBound), Int32(rows.count), dx + n0 * g.inPlane,
                        batch * g.inPlane, g.inPlane)
    }

    /// Whether `scatter` applies: a 1x1 unpadded convolution (each input element feeds at most one
    /// column, so col2im is a plain store).
    public static func scatters(_ g: Conv2dGeometry) -> Bool {
        g.kernelH == 1 && g.kernelW == 1 && g.padH == 0 && g.padW == 0
    }

    /// col2im of a geometry where `scatters` holds, overwriting: writes every element of the dx rows
    /// that output rows `rows` own (input rows `[r0·s, r1·s)`, the last range also the rows below), the
    /// column value where the convolution reads and 0 elsewhere. No zeroing of dx first.
    public static func scatter(
        _ col: UnsafePointer<Float>, batch: Int, first n0: Int, count nb: Int, rows: Range<Int>? = nil,
        geometry g: Conv2dGeometry, into dx: UnsafeMutablePointer<Float>
    ) {
        precondition(scatters(g), "scatter needs a 1x1 unpadded convolution")
        let rows = rows ?? 0..<g.outH
        var s = shape(g)
        thaw_col2im_pointwise_set(col, &s, Int32(nb), Int32(rows.lowerBound), Int32(rows.count), dx + n0 * g.inPlane,
                                  batch * g.inPlane, g.inPlane)
    }

    static func shape(_ g: Conv2dGeometry) -> thaw_conv_shape {
        thaw_conv_shape(channels: Int32(g.inChannels), in_h: Int32(g.inH), in_w: Int32(g.inW), kernel_h: Int32(g.kernelH),
                        kernel_w: Int32(g.kernelW), stride_h: Int32(g.strideH), stride_w: Int32(g.strideW),
                        pad_h: Int32(g.padH), pad_w: Int32(g.padW), out_h: Int32(g.outH), out_w: Int32(g.outW))
    }
}
