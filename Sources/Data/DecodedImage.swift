/// A decoded image in the decoder's natural layout: 8-bit, rows top to bottom, channels interleaved
/// (HWC), 1 channel (gray) or 3 (RGB). Alpha is dropped without compositing, as PIL's
/// `convert("RGB")` does, so results match torchvision's `ImageFolder` loader.
public struct DecodedImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    /// `height * width * channels` bytes, HWC.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// Converts to `channels` (1 or 3): gray is replicated to RGB; RGB becomes gray by ITU-R 601
    /// luma with PIL's fixed-point rounding, `(19595 R + 38470 G + 7471 B + 2^15) >> 16`.
    public func converted(toChannels target: Int) -> DecodedImage {
        if target == channels { return self }
        let n = width * height
        var out = [UInt8](repeating: 0, count: n * target)
        if channels == 1 {
            for i in 0..<n { for c in 0..<target { out[i * target + c] = pixels[i] } }
        } else {
            for i in 0..<n {
                let r = Int(pixels[3 * i]), g = Int(pixels[3 * i + 1]), b = Int(pixels[3 * i + 2])
                out[i] = UInt8((19595 * r + 38470 * g + 7471 * b + 0x8000) >> 16)
            }
        }
        return DecodedImage(width: width, height: height, channels: target, pixels: out)
    }

    /// The planar (CHW) copy of the pixels, the layout `LabeledImages` stores.
    public func planar() -> [UInt8] {
        if channels == 1 { return pixels }
        let n = width * height
        var out = [UInt8](repeating: 0, count: n * channels)
        for i in 0..<n { for c in 0..<channels { out[c * n + i] = pixels[i * channels + c] } }
        return out
    }
}
