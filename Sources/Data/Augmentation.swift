/// Training-only augmentation. Each sample's transform is a pure function of
/// `(seed, epoch, position in the epoch)`, so an epoch replays identically after a resume and
/// does not depend on which thread assembled the batch.
///
/// Defaults are off; `standard` is the common CIFAR/Fashion-MNIST recipe.
public struct Augmentation: Sendable, Equatable, Codable {
    /// Zero-pad each side by this many pixels and crop back at a random offset (torchvision
    /// `RandomCrop(size, padding: pad)`): a shift uniform in `-pad...pad` on each axis. 0 = off.
    public var padCrop: Int
    /// Mirror left-right with probability 1/2.
    public var horizontalFlip: Bool
    /// An extra shift uniform in `-translate...translate` pixels on each axis, added to the
    /// pad-crop shift. 0 = off.
    public var translate: Int
    /// Byte value for uncovered pixels (0 = black, as zero padding before normalization).
    public var fill: UInt8

    public init(padCrop: Int = 0, horizontalFlip: Bool = false, translate: Int = 0, fill: UInt8 = 0) {
        self.padCrop = padCrop
        self.horizontalFlip = horizontalFlip
        self.translate = translate
        self.fill = fill
    }

    public static let none = Augmentation()
    /// Pad-crop 2 and horizontal flip, suited to 28x28 inputs.
    public static let standard = Augmentation(padCrop: 2, horizontalFlip: true)

    public var isIdentity: Bool { padCrop == 0 && translate == 0 && !horizontalFlip }

    /// Throws unless every shift leaves part of a `height`x`width` image visible.
    public func validate(height: Int, width: Int) throws(DataError) {
        guard padCrop >= 0, translate >= 0 else {
            throw DataError(.invalidSelection, path: nil, "augmentation: pad_crop \(padCrop) and translate \(translate) must be >= 0")
        }
        guard padCrop + translate < min(height, width) else {
            throw DataError(.invalidSelection, path: nil,
                            "augmentation: shifts up to \(padCrop + translate) px would empty a \(height)x\(width) image")
        }
    }

    /// The transform for the sample at `position` (0-based, within the epoch's order) of `epoch`.
    public func transform(seed: UInt64, epoch: Int, position: Int) -> ImageTransform {
        if isIdentity { return .identity }
        var rng = SeededRandom(keys: seed, UInt64(truncatingIfNeeded: epoch), UInt64(truncatingIfNeeded: position))
        var t = ImageTransform()
        if padCrop > 0 {
            t.dx += rng.nextInt(in: -padCrop...padCrop)
            t.dy += rng.nextInt(in: -padCrop...padCrop)
        }
        if translate > 0 {
            t.dx += rng.nextInt(in: -translate...translate)
            t.dy += rng.nextInt(in: -translate...translate)
        }
        if horizontalFlip { t.flip = rng.next() & 1 == 1 }
        return t
    }
}
