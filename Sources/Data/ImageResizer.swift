/// Bilinear resize and center crop to a model's input size, on interleaved (HWC) 8-bit images.
///
/// Resize scales the image so it covers `height`x`width` (shorter side matched, aspect kept) and
/// the center is cropped out — torchvision's `Resize` + `CenterCrop`. Sampling uses pixel centers
/// (align_corners = false). When shrinking, the triangle filter widens by the scale factor, as
/// PIL's bilinear does, so a 500-pixel photo reduced to 28 averages its pixels instead of aliasing.
public enum ImageResizer {
    /// Resize to cover then center-crop: the output is exactly `height`x`width`.
    public static func resizeAndCenterCrop(_ image: DecodedImage, height: Int, width: Int) -> DecodedImage {
        if image.height == height && image.width == width { return image }
        let scale = max(Double(height) / Double(image.height), Double(width) / Double(image.width))
        let rh = max(height, Int((Double(image.height) * scale).rounded()))
        let rw = max(width, Int((Double(image.width) * scale).rounded()))
        let resized = resize(image, height: rh, width: rw)
        let top = Int((Double(rh - height) / 2).rounded()), left = Int((Double(rw - width) / 2).rounded())
        return crop(resized, top: top, left: left, height: height, width: width)
    }

    /// torchvision's evaluation transform scaled to the input size: `Resize(int(max(H, W) / cropFraction))`
    /// (short side; the long side truncated as torchvision computes it) then `CenterCrop(H, W)` with
    /// its offsets `int(round((size - crop) / 2))` (Python's round, half to even). `cropFraction`
    /// 0.875 is the 256 → 224 convention; 1 is `resizeAndCenterCrop`.
    public static func resizeShortSideAndCenterCrop(_ image: DecodedImage, height: Int, width: Int,
                                                    cropFraction: Double) -> DecodedImage {
        if cropFraction >= 1 { return resizeAndCenterCrop(image, height: height, width: width) }
        let short = Int(Double(max(height, width)) / cropFraction)
        let (rh, rw): (Int, Int) = image.height <= image.width
            ? (short, Int(Double(short) * Double(image.width) / Double(image.height)))
            : (Int(Double(short) * Double(image.height) / Double(image.width)), short)
        let resized = resize(image, height: rh, width: rw)
        let top = Int((Double(rh - height) / 2).rounded(.toNearestOrEven))
        let left = Int((Double(rw - width) / 2).rounded(.toNearestOrEven))
        return crop(resized, top: top, left: left, height: height, width: width)
    }

    public static func crop(_ image: DecodedImage, top: Int, left: Int, height: Int, width: Int) -> DecodedImage {
        if top == 0 && left == 0 && height == image.height && width == image.width { return image }
        let c = image.channels
        var out = [UInt8](repeating: 0, count: height * width * c)
        for y in 0..<height {
            let src = ((top + y) * image.width + left) * c
            out.replaceSubrange((y * width * c)..<((y + 1) * width * c), with: image.pixels[src..<(src + width * c)])
        }
        return DecodedImage(width: width, height: height, channels: c, pixels: out)
    }

    /// Separable resize: horizontal pass into floats, then vertical pass with rounding.
    public static func resize(_ image: DecodedImage, height: Int, width: Int) -> DecodedImage {
        let c = image.channels
        let xs = coefficients(input: image.width, output: width)
        let ys = coefficients(input: image.height, output: height)
        var horizontal = [Float](repeating: 0, count: image.height * width * c)
        image.pixels.withUnsafeBufferPointer { src in
            for y in 0..<image.height {
                let row = y * image.width * c
                for x in 0..<width {
                    let taps = xs[x]
                    for ch in 0..<c {
                        var sum: Float = 0
                        for (k, w) in taps.weights.enumerated() { sum += w * Float(src[row + (taps.first + k) * c + ch]) }
                        horizontal[(y * width + x) * c + ch] = sum
                    }
                }
            }
        }
        var out = [UInt8](repeating: 0, count: height * width * c)
        for y in 0..<height {
            let taps = ys[y]
            for i in 0..<(width * c) {
                var sum: Float = 0
                for (k, w) in taps.weights.enumerated() { sum += w * horizontal[(taps.first + k) * width * c + i] }
                out[y * width * c + i] = UInt8(min(max(sum.rounded(), 0), 255))
            }
        }
        return DecodedImage(width: width, height: height, channels: c, pixels: out)
    }

    /// Filter taps for one output coordinate: input indices `first ..< first + weights.count`.
    struct Taps: Equatable {
        var first: Int
        var weights: [Float]
    }

    /// Triangle-filter weights mapping `input` samples to `output` samples (normalized to sum 1).
    static func coefficients(input: Int, output: Int) -> [Taps] {
        coefficients(start: 0, length: Double(input), output: output, within: 0..<input)
    }

    /// The same filter for `output` samples over the span `start ..< start + length` of the input,
    /// in input pixels (fractional for a crop box mapped onto a `PhotoFrames` frame), reading only
    /// the input pixels `within`; `first` counts from input pixel 0.
    static func coefficients(start: Double, length: Double, output: Int, within: Range<Int>) -> [Taps] {
        let scale = length / Double(output)
        let support = max(scale, 1)  // filter radius in input pixels
        return (0..<output).map { o in
            let center = start + (Double(o) + 0.5) * scale
            let lo = max(within.lowerBound, min(within.upperBound - 1, Int((center - support).rounded(.down))))
            let hi = max(lo, min(within.upperBound - 1, Int((center + support).rounded(.up))))
            var weights = [Double]()
            for i in lo...hi {
                let t = abs(Double(i) + 0.5 - center) / support
                weights.append(max(0, 1 - t))
            }
            var first = lo
            while weights.count > 1 && weights.first == 0 { weights.removeFirst(); first += 1 }
            while weights.count > 1 && weights.last == 0 { weights.removeLast() }
            let total = weights.reduce(0, +)
            // At least one tap is non-zero, the input pixel containing `center`, whenever the span
            // lies within `within`; a span rounded past its edge takes the nearest pixel.
            guard total > 0 else { return Taps(first: center < Double(lo) ? lo : hi, weights: [1]) }
            return Taps(first: first, weights: weights.map { Float($0 / total) })
        }
    }
}
