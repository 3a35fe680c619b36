/// One geometric transform of an image: shift the content by (`dx`, `dy`) pixels (right and down
/// positive), filling uncovered pixels with `fill`, then mirror left-right when `flip`.
///
/// Pad-and-crop, translation and TTA views all reduce to this, so the batcher has one fused
/// path: `output(c, y, x) = input(c, y - dy, x' - dx)` with `x' = flip ? W-1-x : x`.
public struct ImageTransform: Sendable, Equatable, Hashable, Codable {
    public var dx: Int
    public var dy: Int
    public var flip: Bool

    public init(dx: Int = 0, dy: Int = 0, flip: Bool = false) {
        self.dx = dx
        self.dy = dy
        self.flip = flip
    }

    public static let identity = ImageTransform()

    /// Reference implementation over one CHW byte image: the oracle for the batcher's fused path.
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
