@testable import Data
import Testing

@Suite struct ImageDecoderTests {
    /// A smooth w x h gradient with `channels` channels, HWC (JPEG-friendly).
    static func gradient(width: Int, height: Int, channels: Int) -> [UInt8] {
        var out = [UInt8]()
        for y in 0..<height { for x in 0..<width { for c in 0..<channels { out.append(UInt8((x * 7 + y * 5 + c * 40) % 256)) } } }
        return out
    }

    static let rgb = gradient(width: 16, height: 12, channels: 3)
    static let gray = gradient(width: 16, height: 12, channels: 1)

    @Test func grayPNGRoundTripsExactly() throws {
        let png = try ImageEncoder.png(Self.gray, width: 16, height: 12, channels: 1)
        #expect(ImageDecoder.sniff(png) == .png)
        #expect(try ImageDecoder.decode(png, path: "g.png") == DecodedImage(width: 16, height: 12, channels: 1, pixels: Self.gray))
    }

    @Test func rgbPNGRoundTripsExactly() throws {
        let png = try ImageEncoder.png(Self.rgb, width: 16, height: 12, channels: 3)
        #expect(try ImageDecoder.decode(png, path: nil).pixels == Self.rgb)
    }

    @Test func alphaIsDroppedNotComposited() throws {
        var rgba = [UInt8]()
        for i in 0..<(16 * 12) { rgba += Self.rgb[(3 * i)..<(3 * i + 3)] + [UInt8(i % 2 == 0 ? 0 : 255)] }
        let png = try ImageEncoder.png(rgba, width: 16, height: 12, channels: 4)
        let decoded = try ImageDecoder.decode(png, path: nil)
        #expect(decoded.channels == 3 && decoded.pixels == Self.rgb)
        let ga = try ImageEncoder.png(Self.gray.flatMap { [$0, 0] }, width: 16, height: 12, channels: 2)
        #expect(try ImageDecoder.decode(ga, path: nil).pixels == Self.gray)
    }

    @Test func rgbToGrayUsesPILLuma() throws {
        let png = try ImageEncoder.png([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 200, 30], width: 4, height: 1, channels: 3)
        let decoded = try ImageDecoder.decode(png, channels: 1, path: nil)
        // PIL: Image.new('RGB',…).convert("L") gives 76, 150, 29 and 124 for these pixels.
        #expect(decoded.pixels == [76, 150, 29, 124])
    }

    @Test func grayToRGBReplicates() throws {
        let png = try ImageEncoder.png([9, 200], width: 2, height: 1, channels: 1)
        #expect(try ImageDecoder.decode(png, channels: 3, path: nil).pixels == [9, 9, 9, 200, 200, 200])
    }

    @Test func rgbJPEGDecodesCloseToTheOriginal() throws {
        let jpeg = try ImageEncoder.jpeg(Self.rgb, width: 16, height: 12, channels: 3, quality: 95)
        #expect(ImageDecoder.sniff(jpeg) == .jpeg)
        let decoded = try ImageDecoder.decode(jpeg, path: nil)
        #expect((decoded.width, decoded.height, decoded.channels) == (16, 12, 3))
        #expect(maxByteDifference(decoded.pixels, Self.rgb) <= 12)
    }

    @Test func grayJPEGDecodesCloseToTheOriginal() throws {
        let jpeg = try ImageEncoder.jpeg(Self.gray, width: 16, height: 12, channels: 1, quality: 95)
        let decoded = try ImageDecoder.decode(jpeg, path: nil)
        #expect(decoded.channels == 1)
        #expect(maxByteDifference(decoded.pixels, Self.gray) <= 8)
    }

    @Test func rgbJPEGAsGrayIsItsLuma() throws {
        let jpeg = try ImageEncoder.jpeg(Self.rgb, width: 16, height: 12, channels: 3, quality: 95)
        let gray = try ImageDecoder.decode(jpeg, channels: 1, path: nil)
        let luma = DecodedImage(width: 16, height: 12, channels: 3, pixels: Self.rgb).converted(toChannels: 1)
        #expect(maxByteDifference(gray.pixels, luma.pixels) <= 8)
    }

    @Test func planarLayoutIsCHW() {
        let image = DecodedImage(width: 2, height: 1, channels: 3, pixels: [1, 2, 3, 4, 5, 6])
        #expect(image.planar() == [1, 4, 2, 5, 3, 6])
    }

    // MARK: malformed inputs, one case each

    @Test func emptyFile() {
        expectError(.truncatedImage, "file is empty", path: "e.png") { try ImageDecoder.decode([], path: "e.png") }
    }

    @Test func textFile() {
        expectError(.notAnImage, "not a PNG or JPEG", path: "t.png") { try ImageDecoder.decode(Array("hello\n".utf8), path: "t.png") }
    }

    @Test func firstThreeBytesOfPNGSignature() {
        expectError(.truncatedImage, "inside the 3-byte image signature") { try ImageDecoder.decode([0x89, 0x50, 0x4E], path: "s.png") }
    }

    @Test func pngSignatureOnly() {
        expectError(.truncatedImage, "PNG: read beyond end of data") { try ImageDecoder.decode(ImageDecoder.pngSignature, path: "s.png") }
    }

    @Test func pngCutInHalf() throws {
        let png = try ImageEncoder.png(Self.rgb, width: 16, height: 12, channels: 3)
        expectError(.truncatedImage, "PNG: read beyond end of data", path: "half.png") { try ImageDecoder.decode(Array(png.prefix(png.count / 2)), path: "half.png") }
    }

    /// All pixel data is present, so the image is usable (PIL loads such files too).
    @Test func pngMissingOnlyItsEndChunkStillDecodes() throws {
        let png = try ImageEncoder.png(Self.rgb, width: 16, height: 12, channels: 3)
        #expect(try ImageDecoder.decode(Array(png.dropLast(12)), path: "noend.png").pixels == Self.rgb)
    }

    @Test func pngWithCorruptPixelData() throws {
        var png = try ImageEncoder.png(Self.rgb, width: 16, height: 12, channels: 3)
        for i in 60..<80 { png[i] ^= 0x5a }
        expectError(.corruptImage, "PNG") { try ImageDecoder.decode(png, path: "crc.png") }
    }

    @Test func pngWithBadHeaderChecksum() throws {
        var png = try ImageEncoder.png(Self.gray, width: 16, height: 12, channels: 1)
        png[29] ^= 0xff  // IHDR CRC
        expectError(.corruptImage, "PNG: IHDR") { try ImageDecoder.decode(png, path: "ihdr.png") }
    }

    @Test func pngClaimingTwentyThousandSquarePixels() throws {
        var png = try ImageEncoder.png([0], width: 1, height: 1, channels: 1)
        // IHDR data at bytes 16..<29 (width, height big-endian); CRC over type + data at 29..<33.
        for (o, v) in [(16, 20_000), (20, 20_000)] {
            png[o] = UInt8(v >> 24); png[o + 1] = UInt8((v >> 16) & 0xff); png[o + 2] = UInt8((v >> 8) & 0xff); png[o + 3] = UInt8(v & 0xff)
        }
        let crc = Gzip.crc32(Array(png[12..<29]))
        for k in 0..<4 { png[29 + k] = UInt8((crc >> (24 - 8 * UInt32(k))) & 0xff) }
        expectError(.tooLarge, "20000x20000 pixels (382 MiB decoded) exceeds the 100-megapixel limit") { try ImageDecoder.decode(png, path: "bomb.png") }
    }

    @Test func jpegCutInHalf() throws {
        let jpeg = try ImageEncoder.jpeg(Self.rgb, width: 16, height: 12, channels: 3)
        expectError(.truncatedImage, "JPEG data ends early", path: "half.jpg") { try ImageDecoder.decode(Array(jpeg.prefix(jpeg.count / 2)), path: "half.jpg") }
    }

    @Test func jpegHeaderOnly() throws {
        let jpeg = try ImageEncoder.jpeg(Self.rgb, width: 16, height: 12, channels: 3)
        expectError(.truncatedImage, "JPEG data ends early") { try ImageDecoder.decode(Array(jpeg.prefix(30)), path: "head.jpg") }
    }

    @Test func jpegWithBogusFrameHeaderLength() {
        let bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x02] + [UInt8](repeating: 0x42, count: 200)
        expectError(.corruptImage, "JPEG: Bogus marker length", path: "bogus.jpg") { try ImageDecoder.decode(bytes, path: "bogus.jpg") }
    }

    @Test func jpegStartMarkerFollowedByGarbageOnly() {
        let bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0x01] + [UInt8](repeating: 0x42, count: 200)
        expectError(.truncatedImage, "contains no image") { try ImageDecoder.decode(bytes, path: "garbage.jpg") }
    }

    @Test func missingImageFile() {
        expectError(.missingPath, "no such file") { try ImageDecoder.loadForModel(path: "/nonexistent/x.png", channels: 1, height: 8, width: 8) }
    }
}

func maxByteDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
    guard a.count == b.count else { return .max }
    return zip(a, b).map { abs(Int($0) - Int($1)) }.max() ?? 0
}
