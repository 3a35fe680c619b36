/// One transform of an image: optionally resize the `crop` box of it back to the full size
/// (random-resized-crop), shift the content by (`dx`, `dy`) pixels (right and down positive),
/// filling uncovered pixels with `fill`, mirror left-right when `flip`, then apply `jitter`.
///
/// Pad-and-crop, translation and TTA views reduce to the shift and flip, so the batcher has one
/// fused byte path for them: `output(c, y, x) = input(c, y - dy, x' - dx)` with
/// `x' = flip ? W-1-x : x`. A crop or a jitter takes the float path (`render`).
public struct ImageTransform: Sendable, Equatable, Hashable, Codable {
    public var dx: Int
    public var dy: Int
    public var flip: Bool
    /// The region resized (bilinear, antialiased as Pillow's) to the image's own size; nil = whole image.
    public var crop: CropBox?
    /// Colour factors applied last; nil = none.
    public var jitter: JitterFactors?

    public init(dx: Int = 0, dy: Int = 0, flip: Bool = false, crop: CropBox? = nil, jitter: JitterFactors? = nil) {
        self.dx = dx
        self.dy = dy
        self.flip = flip
        self.crop = crop
        self.jitter = jitter
    }

    public static let identity = ImageTransform()

    /// Whether only the shift/flip byte path is needed.
    public var isGeometricOnly: Bool { crop == nil && jitter == nil }

    /// Reference implementation over one CHW byte image: the oracle for the batcher's fused path
    /// (shift and flip only; `render` is the one implementation of crops and jitter).
    public func apply(_ image: ArraySlice<UInt8>, channels: Int, height: Int, width: Int, fill: UInt8 = 0) -> [UInt8] {
        var out = [UInt8](repeating: fill, count: channels * height * width)
        let base = image.startIndex
        for c in 0..<channels {
            for y in 0..<height {
                for x in 0..<width {
                    let xs = (flip ? width - 1 - x : x) - dx
                    let ys = y - dy
                    guard xs >= 0, xs < width, ys >= 0, ys < height else { continue }
                    out[(c * height + y) * width + x] = image[base + (c * height + ys) * width + xs]
                }
            }
        }
        return out
    }
}
