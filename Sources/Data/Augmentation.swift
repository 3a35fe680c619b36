/// Training-only augmentation. Each sample's transform is a pure function of
/// `(seed, epoch, position in the epoch)`, so an epoch replays identically after a resume and
/// does not depend on which thread assembled the batch.
///
/// Defaults are off; `standard` is the common CIFAR/Fashion-MNIST recipe, `photo` torchvision's
/// ImageNet training recipe (random-resized-crop, flip; jitter optional).
///
/// Draw order per sample (fixed, so old seeds replay old epochs): pad-crop, translate, flip, then
/// the crop box, then the jitter.
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
    /// A random box of the stored image resized back to its size; nil = off.
    public var randomResizedCrop: RandomResizedCrop?
    /// Random brightness / contrast / saturation; nil = off.
    public var colorJitter: ColorJitter?

    public init(padCrop: Int = 0, horizontalFlip: Bool = false, translate: Int = 0, fill: UInt8 = 0,
                randomResizedCrop: RandomResizedCrop? = nil, colorJitter: ColorJitter? = nil) {
        self.padCrop = padCrop
        self.horizontalFlip = horizontalFlip
        self.translate = translate
        self.fill = fill
        self.randomResizedCrop = randomResizedCrop
        self.colorJitter = colorJitter
    }

    public static let none = Augmentation()
    /// Pad-crop 2 and horizontal flip, suited to 28x28 inputs.
    public static let standard = Augmentation(padCrop: 2, horizontalFlip: true)

    /// torchvision's ImageNet training transform: `RandomResizedCrop` with its defaults and a flip.
    public static let photo = Augmentation(horizontalFlip: true, randomResizedCrop: RandomResizedCrop())

    public var isIdentity: Bool {
        padCrop == 0 && translate == 0 && !horizontalFlip && randomResizedCrop == nil && (colorJitter?.isIdentity ?? true)
    }

    /// Throws unless every shift leaves part of a `height`x`width` image visible.
    public func validate(height: Int, width: Int) throws(DataError) {
        guard padCrop >= 0, translate >= 0 else {
            throw DataError(.invalidSelection, path: nil, "augmentation: pad_crop \(padCrop) and translate \(translate) must be >= 0")
        }
        guard padCrop + translate < min(height, width) else {
            throw DataError(.invalidSelection, path: nil,
                            "augmentation: shifts up to \(padCrop + translate) px would empty a \(height)x\(width) image")
        }
        try randomResizedCrop?.validate()
        try colorJitter?.validate()
    }

    /// The transform for the sample at `position` (0-based, within the epoch's order) of `epoch`,
    /// for an image of `height`x`width` (the crop box is drawn in its pixels; without a
    /// random-resized-crop the size does not matter).
    public func transform(seed: UInt64, epoch: Int, position: Int, height: Int = 0, width: Int = 0) -> ImageTransform {
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
        if let randomResizedCrop, height > 0, width > 0 {
            t.crop = randomResizedCrop.box(height: height, width: width, rng: &rng)
        }
        if let colorJitter, !colorJitter.isIdentity { t.jitter = colorJitter.draw(&rng) }
        return t
    }
}
