@testable import Data
import Testing

/// Every image mode a photo folder holds decodes as Pillow (torchvision's loader) decodes it:
/// files written by Pillow, its own decoded pixels as the reference.
@Suite struct PhotoModeTests {
    /// JPEG decoders may differ by one level in rounding (Pillow's bundled libjpeg-turbo vs Debian's).
    static let jpegTolerance = 2

    func decode(_ name: String, channels: Int? = nil) throws -> DecodedImage {
        try ImageDecoder.decode(PhotoFixtures.bytes(name), channels: channels, path: name)
    }

    @Test func cmykJPEGDecodesToPillowsRGB() throws {
        let image = try decode("cmyk.jpg")
        let reference = PhotoFixtures.reference("cmyk")
        #expect(image.channels == 3)
        let difference = PhotoFixtures.maxDifference(image, reference)
        #expect(difference <= Self.jpegTolerance)
        // Not the plain (non-inverted) reading: that would be far off.
        #expect(image.pixels.contains { $0 > 200 } && reference.pixels.contains { $0 > 200 })
        // And to gray through the same luma as any RGB image.
        #expect(PhotoFixtures.maxDifference(try decode("cmyk.jpg", channels: 1), reference.converted(toChannels: 1)) <= Self.jpegTolerance)
    }

    @Test(arguments: [false, true]) func cmykAndYCCKJPEGsWrittenByLibjpegDecodeByPillowsFormula(ycck: Bool) throws {
        // Solid 16x16 blocks of four stored CMYK samples each (Adobe-inverted, as Photoshop writes).
        let colours: [[UInt8]] = [[255, 255, 255, 255], [0, 255, 255, 255], [200, 100, 50, 180], [30, 220, 120, 90]]
        for stored in colours {
            let jpeg = try ImageEncoder.jpeg((0..<256).flatMap { _ in stored }, width: 16, height: 16, channels: 4, quality: 100, ycck: ycck)
            // The APP14 Adobe segment's transform byte says which was written: 0 CMYK, 2 YCCK.
            let adobe = try #require((0..<(jpeg.count - 5)).first { Array(jpeg[$0..<($0 + 5)]) == Array("Adobe".utf8) })
            #expect(jpeg[adobe + 11] == (ycck ? 2 : 0))
            let image = try ImageDecoder.decode(jpeg, path: "cmyk.jpg")
            let nk = Int(stored[3])
            let expected = (0..<3).map { c -> Int in let t = (255 - Int(stored[c])) * nk + 128; return nk - (((t >> 8) + t) >> 8) }
            #expect(image.channels == 3 && image.width == 16)
            let worst = (0..<256).flatMap { p in (0..<3).map { abs(Int(image.pixels[p * 3 + $0]) - expected[$0]) } }.max() ?? 0
            #expect(worst <= 3, "stored \(stored) ycck \(ycck): got \(Array(image.pixels.prefix(3))), expected \(expected)")
        }
    }

    @Test(arguments: 1...8) func exifOrientationIsApplied(orientation: Int) throws {
        let image = try decode("orient\(orientation).jpg")
        let reference = PhotoFixtures.reference("orient\(orientation)")
        #expect((image.width, image.height) == (reference.width, reference.height))
        #expect(PhotoFixtures.maxDifference(image, reference) <= Self.jpegTolerance, "orientation \(orientation)")
        #expect(ExifOrientation.read(PhotoFixtures.bytes("orient\(orientation).jpg")) == orientation)
    }

    @Test func pngExifOrientationIsApplied() throws {
        let image = try decode("orient6.png")
        #expect(image == PhotoFixtures.reference("orient6-png"))
        #expect((image.width, image.height) == (12, 20))
    }

    @Test func orientationsAreTheEightSymmetriesOfTheRectangle() {
        // 3x2 image with distinct pixels: each orientation is a different arrangement, and 6 then 8
        // (quarter turns both ways) is the identity.
        let image = DecodedImage(width: 3, height: 2, channels: 1, pixels: [1, 2, 3, 4, 5, 6])
        let all = (1...8).map { image.oriented($0).pixels }
        #expect(Set(all).count == 8)
        #expect(image.oriented(6).pixels == [4, 1, 5, 2, 6, 3])
        #expect(image.oriented(6).oriented(8) == image)
        #expect(image.oriented(3).oriented(3) == image)
    }

    @Test func sixteenBitPNGsKeepTheHighByte() throws {
        #expect(PhotoFixtures.maxDifference(try decode("gray16.png"), PhotoFixtures.reference("gray16")) <= 1)
        #expect(PhotoFixtures.maxDifference(try decode("rgb16.png"), PhotoFixtures.reference("rgb16")) <= 1)
    }

    @Test func palettePNGDecodesToItsColours() throws {
        #expect(try decode("palette.png") == PhotoFixtures.reference("palette"))
    }

    @Test func grayAlphaPNGDropsAlphaWithoutCompositing() throws {
        #expect(try decode("gray-alpha.png") == PhotoFixtures.reference("gray-alpha"))
    }

    @Test func malformedExifIsIgnoredNotFatal() throws {
        var jpeg = PhotoFixtures.bytes("orient6.jpg")
        // Break the TIFF byte-order mark: the image decodes as stored.
        let tiff = try #require(ExifOrientation.jpegTIFF(jpeg))
        jpeg[tiff.start] = 0x00
        #expect(ExifOrientation.read(jpeg) == nil)
        let image = try ImageDecoder.decode(jpeg, path: "x.jpg")
        #expect((image.width, image.height) == (20, 12))
    }
}
