/// Turns byte images into a normalized float batch, applying one `ImageTransform` per image.
/// Pure and thread-safe; `BatchLoader` calls it on its background thread, evaluation and TTA call it
/// directly.
public struct BatchAssembler: Sendable {
    public let images: LabeledImages
    /// The whole photos behind `images`: random-resized-crop boxes are drawn in a photo's pixels and
    /// resampled from its frame. nil: boxes are drawn in, and cut from, `images` themselves.
    public let frames: PhotoFrames?
    public let normalization: Normalization
    /// Byte value for pixels a shift uncovers.
    public let fill: UInt8
    private let table: [Float]
    /// `value * scales[c] + shifts[c]` normalizes a float pixel in [0, 255] (the float path).
    private let scales: [Float]
    private let shifts: [Float]

    public init(images: LabeledImages, frames: PhotoFrames? = nil, normalization: Normalization, fill: UInt8 = 0) throws(DataError) {
        try images.validate()
        try frames?.validate(matching: images)
        try normalization.validate(channels: images.channels)
        self.images = images
        self.frames = frames
        self.normalization = normalization
        self.fill = fill
        self.table = normalization.lookupTable()
        scales = normalization.std.map { 1 / (255 * $0) }
        shifts = zip(normalization.mean, normalization.std).map { -$0 / $1 }
    }

    /// The size a crop box for image `index` is drawn in: its photo's, or the stored image's.
    public func cropSpace(of index: Int) -> PhotoSize {
        frames?.photoSizes[index] ?? PhotoSize(height: images.height, width: images.width)
    }

    /// Batch of the images at `indices` (into `images`), image i transformed by `transform(i)`
    /// where i is the position within this batch.
    public func assemble(indices: ArraySlice<Int>, batchIndex: Int = 0,
                         transform: (Int) -> ImageTransform = { _ in .identity }) -> Batch {
        let c = images.channels, h = images.height, w = images.width
        let size = c * h * w
        let n = indices.count
        var out = [Float](repeating: 0, count: n * size)
        var labels = [Int32](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { dst in
            images.pixels.withUnsafeBufferPointer { src in
                table.withUnsafeBufferPointer { lut in
                    for (j, index) in indices.enumerated() {
                        labels[j] = Int32(images.labels[index])
                        let t = transform(j)
                        let from = src.baseAddress! + index * size
                        let to = dst.baseAddress! + j * size
                        if t == .identity {
                            for ch in 0..<c {
                                let plane = ch * h * w, lutBase = ch * 256
                                for k in 0..<(h * w) { to[plane + k] = lut[lutBase + Int(from[plane + k])] }
                            }
                        } else if t.isGeometricOnly {
                            Self.warp(from, to, c, h, w, t, lut, fill)
                        } else {
                            // Crops and jitter work on floats; normalization is then affine per channel.
                            if t.crop != nil, let frames {
                                frames.pixels.withUnsafeBufferPointer { framePixels in
                                    let source = CropSource(pixels: framePixels.baseAddress! + index * frames.frameBytes,
                                                            height: frames.height, width: frames.width,
                                                            photo: frames.photoSizes[index])
                                    t.render(from, channels: c, height: h, width: w, fill: fill, into: to, cropSource: source)
                                }
                            } else {
                                t.render(from, channels: c, height: h, width: w, fill: fill, into: to)
                            }
                            for ch in 0..<c {
                                let scale = scales[ch], shift = shifts[ch], plane = to + ch * h * w
                                for k in 0..<(h * w) { plane[k] = plane[k] * scale + shift }
                            }
                        }
                    }
                }
            }
        }
        return Batch(images: out, labels: labels, count: n, channels: c, height: h, width: w,
                     indices: Array(indices), batchIndex: batchIndex)
    }

    /// `ImageTransform.apply` fused with normalization: row by row, filled spans then the copied span.
    private static func warp(_ from: UnsafePointer<UInt8>, _ to: UnsafeMutablePointer<Float>, _ c: Int, _ h: Int, _ w: Int,
                             _ t: ImageTransform, _ lut: UnsafeBufferPointer<Float>, _ fill: UInt8) {
        // Output columns x whose source column (flip ? w-1-x : x) - dx lies inside the image.
        let lo: Int, hi: Int  // inclusive range of valid x
        if t.flip { lo = max(0, -t.dx); hi = min(w - 1, w - 1 - t.dx) } else { lo = max(0, t.dx); hi = min(w - 1, w - 1 + t.dx) }
        for ch in 0..<c {
            let lutBase = ch * 256
            let filled = lut[lutBase + Int(fill)]
            for y in 0..<h {
                let row = to + (ch * h + y) * w
                let ys = y - t.dy
                guard ys >= 0, ys < h, lo <= hi else {
                    for x in 0..<w { row[x] = filled }
                    continue
                }
                let srcRow = from + (ch * h + ys) * w
                for x in 0..<lo { row[x] = filled }
                if t.flip {
                    for x in lo...hi { row[x] = lut[lutBase + Int(srcRow[w - 1 - x - t.dx])] }
                } else {
                    for x in lo...hi { row[x] = lut[lutBase + Int(srcRow[x - t.dx])] }
                }
                if hi + 1 < w { for x in (hi + 1)..<w { row[x] = filled } }
            }
        }
    }

    /// One batch per TTA view of the images at `indices`: `result[v]` is view v.
    public func views(indices: ArraySlice<Int>, tta: TestTimeAugmentation) -> [Batch] {
        tta.views.map { view in assemble(indices: indices) { _ in view } }
    }
}
