/// Where `ImageTransform.render` resamples its crop box from when that is not the rendered image:
/// a whole-photo frame of `height`x`width` (`PhotoFrames`) squeezed from a photo of `photo`
/// pixels, the space the box is drawn in.
public struct CropSource {
    public var pixels: UnsafePointer<UInt8>
    public var height: Int
    public var width: Int
    public var photo: PhotoSize

    public init(pixels: UnsafePointer<UInt8>, height: Int, width: Int, photo: PhotoSize) {
        self.pixels = pixels
        self.height = height
        self.width = width
        self.photo = photo
    }
}

extension ImageTransform {
    /// The transformed image as floats in [0, 255] (not normalized): `channels` planes of
    /// `height`x`width`, written to `out`. `image` points at one CHW byte image of that shape.
    ///
    /// 1. the `crop` box (default the whole image) is resized to `height`x`width` by the separable
    ///    triangle filter of `ImageResizer` over the box only (torchvision's `resized_crop`: crop,
    ///    then resize), read from `cropSource` when given (the box in its photo's pixels, mapped onto
    ///    its frame); 2. shift and flip as in `apply`; 3. `jitter`.
    public func render(_ image: UnsafePointer<UInt8>, channels c: Int, height h: Int, width w: Int, fill: UInt8,
                       into out: UnsafeMutablePointer<Float>, cropSource: CropSource? = nil) {
        let plane = h * w
        let box = crop ?? CropBox(top: 0, left: 0, height: h, width: w)
        let shifted = dx != 0 || dy != 0 || flip
        // Resampled planes go straight to `out` unless a shift or flip still has to move them.
        let resampled = shifted ? UnsafeMutablePointer<Float>.allocate(capacity: c * plane) : out
        defer { if shifted { resampled.deallocate() } }
        if let crop, let source = cropSource {
            let sy = Double(source.height) / Double(source.photo.height), sx = Double(source.width) / Double(source.photo.width)
            Self.resizedCrop(source.pixels, channels: c, height: source.height, width: source.width,
                             top: Double(crop.top) * sy, left: Double(crop.left) * sx,
                             boxHeight: Double(crop.height) * sy, boxWidth: Double(crop.width) * sx,
                             outputHeight: h, outputWidth: w, into: resampled)
        } else if box == CropBox(top: 0, left: 0, height: h, width: w) {
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

    /// `resizedCrop` of a whole-pixel box.
    static func resizedCrop(_ image: UnsafePointer<UInt8>, channels c: Int, height h: Int, width w: Int, box: CropBox,
                            outputHeight oh: Int, outputWidth ow: Int, into out: UnsafeMutablePointer<Float>) {
        resizedCrop(image, channels: c, height: h, width: w, top: Double(box.top), left: Double(box.left),
                    boxHeight: Double(box.height), boxWidth: Double(box.width), outputHeight: oh, outputWidth: ow, into: out)
    }

    /// Separable resize of the box (`top`, `left`, `boxHeight`, `boxWidth`, in pixels, fractional
    /// for a box mapped onto a frame) of each `h`x`w` plane to `oh`x`ow`: horizontal pass into
    /// floats, then vertical; the filter reads only the pixels the box covers (crop first, as
    /// torchvision's `resized_crop`).
    static func resizedCrop(_ image: UnsafePointer<UInt8>, channels c: Int, height h: Int, width w: Int,
                            top: Double, left: Double, boxHeight: Double, boxWidth: Double,
                            outputHeight oh: Int, outputWidth ow: Int, into out: UnsafeMutablePointer<Float>) {
        func cover(_ start: Double, _ length: Double, _ size: Int) -> Range<Int> {
            let lo = max(0, min(size - 1, Int(start.rounded(.down))))
            return lo..<max(lo + 1, min(size, Int((start + length).rounded(.up))))
        }
        let columns = cover(left, boxWidth, w), rows = cover(top, boxHeight, h)
        let xs = ImageResizer.coefficients(start: left, length: boxWidth, output: ow, within: columns)
        let ys = ImageResizer.coefficients(start: top, length: boxHeight, output: oh, within: rows)
        let horizontal = UnsafeMutablePointer<Float>.allocate(capacity: rows.count * ow)
        defer { horizontal.deallocate() }
        for ch in 0..<c {
            let source = image + ch * h * w
            for (r, y) in rows.enumerated() {
                let row = source + y * w
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
                    let src = horizontal + (taps.first - rows.lowerBound + k) * ow
                    for x in 0..<ow { row[x] += weight * src[x] }
                }
            }
        }
    }
}
