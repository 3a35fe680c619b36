@testable import Data
import Foundation
import Testing

/// Random-resized-crop, colour jitter and torchvision's evaluation resize, against Pillow-made
/// goldens (Fixtures/photos, torchvision's functional ops on PIL images) and hand-computed cases.
@Suite struct PhotoTransformTests {
    static let photo = try! ImageDecoder.decode(PhotoFixtures.bytes("photo.png"), path: "photo.png")

    /// HWC -> CHW, as `LabeledImages` stores images.
    static func planar(_ image: DecodedImage) -> [UInt8] { image.planar() }

    @Test(arguments: [(5, 3, 40, 30, 16, 16), (0, 0, 61, 43, 24, 20), (20, 10, 9, 12, 16, 16)])
    func resizedCropMatchesTorchvisionOnPIL(_ box: (Int, Int, Int, Int, Int, Int)) {
        let (left, top, width, height, ow, oh) = box
        let reference = PhotoFixtures.reference("resize-\(left)-\(top)-\(width)-\(height)-\(ow)x\(oh)")
        let source = Self.planar(Self.photo)
        var out = [Float](repeating: -1, count: 3 * oh * ow)
        source.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                ImageTransform.resizedCrop(src.baseAddress!, channels: 3, height: 43, width: 61,
                                           box: CropBox(top: top, left: left, height: height, width: width),
                                           outputHeight: oh, outputWidth: ow, into: dst.baseAddress!)
            }
        }
        let expected = reference.planar()
        // Pillow rounds its horizontal pass to 8 bits; this keeps floats: at most one level apart.
        let worst = zip(out, expected).map { abs($0.rounded() - Float($1)) }.max() ?? 0
        #expect(worst <= 1, "max difference \(worst)")
    }

    @Test func evaluationResizeIsTorchvisionsResizeThenCenterCrop() {
        let ours = ImageResizer.resizeShortSideAndCenterCrop(Self.photo, height: 16, width: 16, cropFraction: 0.875)
        #expect(PhotoFixtures.maxDifference(ours, PhotoFixtures.reference("eval-16")) <= 1)
        // Fraction 1 is the cover-and-crop used so far.
        #expect(ImageResizer.resizeShortSideAndCenterCrop(Self.photo, height: 16, width: 16, cropFraction: 1)
                == ImageResizer.resizeAndCenterCrop(Self.photo, height: 16, width: 16))
    }

    @Test func cropBoxesStayInsideWithinScaleAndRatio() {
        let crop = RandomResizedCrop()
        var rng = SeededRandom(seed: 9)
        for _ in 0..<500 {
            let b = crop.box(height: 224, width: 224, rng: &rng)
            #expect(b.top >= 0 && b.left >= 0 && b.top + b.height <= 224 && b.left + b.width <= 224)
            let area = Double(b.height * b.width) / (224 * 224), aspect = Double(b.width) / Double(b.height)
            #expect(area >= 0.07 && area <= 1.0001, "\(b)")
            #expect(aspect >= 0.74 && aspect <= 1.35, "\(b)")
        }
    }

    @Test func impossibleRatioFallsBackToTorchvisionsCenterCrop() {
        // Full area at ratio >= 2 never fits a square: after 10 draws, the widest fitting center box.
        let crop = RandomResizedCrop(scale: 1...1, ratio: 2...3)
        var again = SeededRandom(seed: 1)
        #expect(crop.box(height: 30, width: 30, rng: &again) == CropBox(top: 7, left: 0, height: 15, width: 30))
        // A tall image under a wide ratio keeps the full width.
        let tall = RandomResizedCrop(scale: 1...1, ratio: 0.1...0.2)
        #expect(tall.box(height: 20, width: 20, rng: &again) == CropBox(top: 0, left: 8, height: 20, width: 4))
    }

    @Test func jitterStepsByHand() {
        // 1x2 RGB image, planar: R = [100, 200], G = [50, 0], B = [0, 250].
        var pixels: [Float] = [100, 200, 50, 0, 0, 250]
        func run(_ f: JitterFactors) -> [Float] {
            var copy = pixels
            copy.withUnsafeMutableBufferPointer { f.apply($0.baseAddress!, channels: 3, plane: 2) }
            return copy
        }
        #expect(run(JitterFactors(brightness: 1.5)) == [150, 255, 75, 0, 0, 255])
        // Saturation 0 is the grayscale (0.299 R + 0.587 G + 0.114 B) in every channel.
        let g0: Float = 0.299 * 100 + 0.587 * 50, g1: Float = 0.299 * 200 + 0.114 * 250
        let gray = run(JitterFactors(saturation: 0))
        for (k, g) in [(0, g0), (1, g1)] { for ch in 0..<3 { #expect(abs(gray[ch * 2 + k] - g) < 1e-3) } }
        // Contrast 0 is the mean of the grayscale everywhere.
        let flat = run(JitterFactors(contrast: 0))
        #expect(flat.allSatisfy { abs($0 - (g0 + g1) / 2) < 1e-3 })
        pixels = [10, 20]
        var one = pixels
        one.withUnsafeMutableBufferPointer { JitterFactors(saturation: 0).apply($0.baseAddress!, channels: 1, plane: 2) }
        #expect(one == [10, 20], "saturation leaves gray images alone")
    }

    @Test func jitterDrawsFactorsWithinRangeInAShuffledOrder() {
        let jitter = ColorJitter(brightness: 0.4, contrast: 0.2, saturation: 0)
        var rng = SeededRandom(seed: 4)
        var orders = Set<[JitterFactors.Step]>()
        for _ in 0..<200 {
            let f = jitter.draw(&rng)
            #expect(f.brightness >= 0.6 && f.brightness <= 1.4 && f.contrast >= 0.8 && f.contrast <= 1.2 && f.saturation == 1)
            orders.insert(f.order)
        }
        #expect(orders.count == 6)
    }

    @Test func fullBoxCropEqualsTheIdentityPathAndCropsAreNormalizedAlike() throws {
        let images = Fixtures.images(labels: [0, 1, 0], classes: 2, c: 3, h: 12, w: 10)
        let normalization = Normalization(mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3])
        let assembler = try BatchAssembler(images: images, normalization: normalization)
        let plain = assembler.assemble(indices: [0, 1, 2])
        let full = assembler.assemble(indices: [0, 1, 2]) { _ in ImageTransform(crop: CropBox(top: 0, left: 0, height: 12, width: 10)) }
        #expect(zip(plain.images, full.images).allSatisfy { abs($0 - $1) < 1e-4 })
        // A real crop plus flip: the batch is render() then (v / 255 - mean) / std.
        let t = ImageTransform(flip: true, crop: CropBox(top: 2, left: 1, height: 7, width: 6), jitter: JitterFactors(brightness: 1.2))
        let batch = assembler.assemble(indices: [1]) { _ in t }
        var rendered = [Float](repeating: 0, count: 360)
        images.pixels.withUnsafeBufferPointer { src in
            rendered.withUnsafeMutableBufferPointer { t.render(src.baseAddress! + 360, channels: 3, height: 12, width: 10, fill: 0, into: $0.baseAddress!) }
        }
        for ch in 0..<3 {
            for k in 0..<120 {
                let expected = (rendered[ch * 120 + k] / 255 - normalization.mean[ch]) / normalization.std[ch]
                #expect(abs(batch.images[ch * 120 + k] - expected) < 1e-4)
            }
        }
    }

    @Test func photoAugmentedEpochIsTheSameInTheBackgroundAndResumesExactly() throws {
        let images = Fixtures.images(labels: (0..<20).map { $0 % 2 }, classes: 2, c: 3, h: 16, w: 16)
        var augmentation = Augmentation.photo
        augmentation.colorJitter = ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4)
        let config = BatchLoader.Configuration(batchSize: 6, seed: 3, epoch: 2, augmentation: augmentation)
        var reference = config
        reference.background = false
        let background = Array(try BatchLoader(images: images, normalization: .identity(channels: 3), configuration: config))
        let synchronous = Array(try BatchLoader(images: images, normalization: .identity(channels: 3), configuration: reference))
        #expect(background.map(\.images) == synchronous.map(\.images))
        var resumed = config
        resumed.startBatch = 2
        let tail = Array(try BatchLoader(images: images, normalization: .identity(channels: 3), configuration: resumed))
        #expect(tail.map(\.images) == background.suffix(2).map(\.images))
        // Augmented: not the plain images.
        let plain = Array(try BatchLoader(images: images, normalization: .identity(channels: 3),
                                          configuration: .init(batchSize: 6, seed: 3, epoch: 2)))
        #expect(plain[0].images != background[0].images)
    }

    @Test func invalidPhotoAugmentationIsRefused() {
        let images = Fixtures.images(labels: [0], classes: 1, c: 3, h: 8, w: 8)
        let bad = Augmentation(randomResizedCrop: RandomResizedCrop(scale: 0...1))
        expectError(.invalidSelection, "scale") {
            try BatchLoader(images: images, normalization: .identity(channels: 3), configuration: .init(batchSize: 1, augmentation: bad))
        }
        let jitter = Augmentation(colorJitter: ColorJitter(brightness: 3))
        expectError(.invalidSelection, "brightness") {
            try BatchLoader(images: images, normalization: .identity(channels: 3), configuration: .init(batchSize: 1, augmentation: jitter))
        }
    }

    @Test func folderDecodedAtACropFractionIsTheEvaluationResize() throws {
        let dir = TemporaryDirectory("crop")
        dir.write("a/photo.png", PhotoFixtures.bytes("photo.png"))
        let cache = TemporaryDirectory("cache")
        let (cropped, _) = try ImageFolder.load(root: dir.path, channels: 3, height: 16, width: 16, cacheDirectory: cache.path, cropFraction: 0.875)
        #expect(cropped.pixels == ImageResizer.resizeShortSideAndCenterCrop(Self.photo, height: 16, width: 16, cropFraction: 0.875).planar())
        let (covered, _) = try ImageFolder.load(root: dir.path, channels: 3, height: 16, width: 16, cacheDirectory: cache.path)
        #expect(covered.pixels != cropped.pixels)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.path).count == 2, "one cache file per crop fraction")
        expectError(.invalidSelection, "crop_fraction") {
            try ImageFolder.load(root: dir.path, channels: 3, height: 16, width: 16, cropFraction: 0.2)
        }
    }
}
