/// The whole photo behind each training image, for random-resized-crop.
///
/// A folder's model-sized images (`LabeledImages`) are center crops, so a crop box drawn in them
/// could never reach the photo's edges; torchvision's `RandomResizedCrop` draws its box over the
/// whole photo. Here every photo is squeezed (aspect not kept) into one fixed frame and its own
/// size is kept beside it: a box drawn in the photo's pixels, so that `scale` and `ratio` mean
/// what they mean in torchvision, maps onto the frame by the two axis scales and is resampled from
/// there (`ImageTransform.render`). One frame size keeps the storage a plain strided array that
/// gathers, caches and copies as `LabeledImages` does.
///
/// The frame is `frameSize(height:width:)`, the input size over 0.875 (256x256 for 224): the
/// resolution torchvision's evaluation resize sees the photo at. Boxes smaller than the input are
/// upsampled from it rather than taken from the full-resolution file, which is the price of
/// decoding each photo once.
public struct PhotoFrames: Sendable, Equatable {
    public var count: Int
    public var channels: Int
    /// The frame's size, the same for every photo.
    public var height: Int
    public var width: Int
    /// `count * channels * height * width` bytes, NCHW.
    public var pixels: [UInt8]
    /// Each photo's own size after its EXIF orientation: the space crop boxes are drawn in.
    public var photoSizes: [PhotoSize]

    public init(count: Int, channels: Int, height: Int, width: Int, pixels: [UInt8], photoSizes: [PhotoSize]) {
        self.count = count
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
        self.photoSizes = photoSizes
    }

    /// The frame for a model input of `height`x`width`.
    public static func frameSize(height: Int, width: Int) -> PhotoSize {
        PhotoSize(height: Int((Double(height) / 0.875).rounded(.up)), width: Int((Double(width) / 0.875).rounded(.up)))
    }

    public var frameBytes: Int { channels * height * width }

    /// The frames at `indices`, in that order.
    public func gathering(_ indices: [Int]) -> PhotoFrames {
        let size = frameBytes
        var out = [UInt8](repeating: 0, count: indices.count * size)
        out.withUnsafeMutableBufferPointer { dst in
            pixels.withUnsafeBufferPointer { src in
                for (j, i) in indices.enumerated() {
                    precondition(i >= 0 && i < count, "index \(i) out of range 0..<\(count)")
                    (dst.baseAddress! + j * size).update(from: src.baseAddress! + i * size, count: size)
                }
            }
        }
        return PhotoFrames(count: indices.count, channels: channels, height: height, width: width, pixels: out,
                           photoSizes: indices.map { photoSizes[$0] })
    }

    /// Throws unless these are the frames of `images`, photo for photo (the same count and channels).
    public func validate(matching images: LabeledImages) throws(DataError) {
        guard count == images.count, channels == images.channels, pixels.count == count * frameBytes,
              photoSizes.count == count, photoSizes.allSatisfy({ $0.height > 0 && $0.width > 0 }) else {
            throw DataError(.shapeMismatch, path: nil,
                            "\(count) whole-photo frames of \(channels)x\(height)x\(width) for \(images.count) images of \(images.channels) channels")
        }
    }
}

/// A photo's size in pixels.
public struct PhotoSize: Sendable, Equatable, Hashable, Codable {
    public var height: Int
    public var width: Int

    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }
}
