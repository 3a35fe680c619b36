@testable import Data
import Testing

@Suite struct BatchAssemblerTests {
    static let images = Fixtures.balanced(classes: 3, perClass: 4, c: 3, h: 5, w: 6)
    static let norm = Normalization(mean: [0.1, 0.5, 0.9], std: [0.2, 0.3, 0.4])

    /// Reference: `ImageTransform.apply` on bytes, then the normalization formula.
    func reference(_ index: Int, _ t: ImageTransform, fill: UInt8 = 0) -> [Float] {
        let im = Self.images, size = im.imageSize
        let bytes = t.apply(im.pixels[(index * size)..<((index + 1) * size)], channels: 3, height: 5, width: 6, fill: fill)
        return bytes.enumerated().map { k, v in (Float(v) / 255 - Self.norm.mean[k / 30]) / Self.norm.std[k / 30] }
    }

    @Test func identityBatchIsTheNormalizedImages() throws {
        let a = try BatchAssembler(images: Self.images, normalization: Self.norm)
        let b = a.assemble(indices: [5, 0, 11][...], batchIndex: 2)
        #expect((b.count, b.channels, b.height, b.width, b.batchIndex) == (3, 3, 5, 6, 2))
        #expect(b.labels == [2, 0, 2])
        #expect(b.indices == [5, 0, 11])
        #expect(maxDifference(b.images, reference(5, .identity) + reference(0, .identity) + reference(11, .identity)) < 1e-6)
    }

    @Test func fusedWarpMatchesTheReferenceForEveryShiftAndFlip() throws {
        for fill: UInt8 in [0, 200] {
            let a = try BatchAssembler(images: Self.images, normalization: Self.norm, fill: fill)
            var worst: Float = 0
            for dx in -7...7 {
                for dy in -6...6 {
                    for flip in [false, true] {
                        let t = ImageTransform(dx: dx, dy: dy, flip: flip)
                        let b = a.assemble(indices: [7][...]) { _ in t }
                        worst = max(worst, maxDifference(b.images, reference(7, t, fill: fill)))
                    }
                }
            }
            #expect(worst < 1e-6)
        }
    }

    @Test func ttaViewsOnePerTransform() throws {
        let a = try BatchAssembler(images: Self.images, normalization: Self.norm)
        let views = a.views(indices: [1, 2][...], tta: .flipsAndCrops(pad: 1))
        #expect(views.count == 6)
        #expect(views[0].images == a.assemble(indices: [1, 2][...]).images)
        #expect(maxDifference(Array(views[1].images[0..<90]), reference(1, ImageTransform(flip: true))) < 1e-6)
    }

    @Test func malformedImagesAreRejected() {
        var bad = Self.images
        bad.pixels.removeLast()
        expectError(.shapeMismatch, "pixel bytes") { try BatchAssembler(images: bad, normalization: Self.norm) }
    }

    @Test func normalizationForOtherChannelCountIsRejected() {
        expectError(.shapeMismatch, "for 3 channels") { try BatchAssembler(images: Self.images, normalization: .fashionMNIST) }
    }
}

func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
