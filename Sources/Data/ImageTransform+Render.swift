extension ImageTransform {
    /// The transformed image as floats in [0, 255] (not normalized): `channels` planes of
    /// `height`x`width`, written to `out`. `image` points at one CHW byte image of that shape.
    ///
    /// 1. the `crop` box (default the whole image) is resized to `height`x`width` by the separable
    ///    triangle filter of `ImageResizer` over the box only (torchvision's `resized_crop`: crop,
    ///    then resize); 2. shift and flip as in `apply`; 3. `jitter`.
    public func render(_ image: UnsafePointer<UInt8>, channels c: Int, height h: Int, width w: Int, fill: UInt8,
                       into out: UnsafeMutablePointer<Float>) {
        let plane = h * w
        let box = crop ?? CropBox(top: 0, left: 0, height: h, width: w)
        let shifted = dx != 0 || dy != 0 || flip
        // Resampled planes go straight to `out` unless a shift or flip still has to move them.
        let resampled = shifted ? UnsafeMutablePointer<Float>.allocate(capacity: c * plane) : out
        defer { if shifted { resampled.deallocate() } }
        if box == CropBox(top: 0, left: 0, height: h, width: w) {
            for k in 0..<(c * plane) { resampled[k] = Float(image[k]) }
        } else {
            Self.resizedCrop(image, channels: c, height: h, width: w, box: box, outputHeight: h, outputWidth: w, into: resampled)
        }
        if shifted {
            let filled = Float(fill)
            for ch in 0..<c {
                for y in 0..<h {
                    let ys = y - dy
                    let row = out + (ch * h + y) * w
                    guard ys >= 0, ys < h else { for x in 0..<w { row[x] = filled }; continue }
                    let src = resampled + (ch * h + ys) * w
                    for x in 0..<w {
                        let xs = (flip ? w - 1 - x : x) - dx
                        row[x] = xs >= 0 && xs < w ? src[xs] : filled
                    }
                }
            }
        }
        jitter?.apply(out, channels: c, plane: plane)
    }

    /// Separable resize of `box` of each `h`x`w` plane to `oh`x`ow`: horizontal pass into floats,
    /// then vertical; the filter reads only the box (crop first, as torchvision's `resized_crop`).
    static func resizedCrop(_ image: UnsafePointer<UInt8>, channels c: Int, height h: Int, width w: Int, box: CropBox,
                            outputHeight oh: Int, outputWidth ow: Int, into out: UnsafeMutablePointer<Float>) {
        let xs = ImageResizer.coefficients(input: box.width, output: ow)
        let ys = ImageResizer.coefficients(input: box.height, output: oh)
        let horizontal = UnsafeMutablePointer<Float>.allocate(capacity: box.height * ow)
        defer { horizontal.deallocate() }
        for ch in 0..<c {
            let source = image + ch * h * w
            for r in 0..<box.height {
                let row = source + (box.top + r) * w + box.left
                for x in 0..<ow {
                    let taps = xs[x]
                    var sum: Float = 0
                    taps.weights.withUnsafeBufferPointer { weights in
                        for k in 0..<weights.count { sum += weights[k] * Float(row[taps.first + k]) }
                    }
                    horizontal[r * ow + x] = sum
                }
            }
            let target = out + ch * oh * ow
            for y in 0..<oh {
                let taps = ys[y]
                let row = target + y * ow
                for x in 0..<ow { row[x] = 0 }
                for (k, weight) in taps.weights.enumerated() {
                    let src = horizontal + (taps.first + k) * ow
                    for x in 0..<ow { row[x] += weight * src[x] }
                }
            }
        }
    }
}
