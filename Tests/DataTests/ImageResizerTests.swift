@testable import Data
import Testing

@Suite struct ImageResizerTests {
    /// Oracle: each output pixel as the 2-D weighted sum straight from the triangle-filter formula.
    func naiveResize(_ image: DecodedImage, height: Int, width: Int) -> [UInt8] {
        func weights(_ input: Int, _ output: Int, _ o: Int) -> [(Int, Double)] {
            let scale = Double(input) / Double(output), support = max(scale, 1), center = (Double(o) + 0.5) * scale
            var w = [(Int, Double)]()
            var total = 0.0
            for i in 0..<input {
                let distance: Double = abs(Double(i) + 0.5 - center) / support
                let weight: Double = max(0, 1 - distance)
                if weight > 0 { w.append((i, weight)); total += weight }
            }
            return w.map { ($0.0, $0.1 / total) }
        }
        var out = [UInt8]()
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<image.channels {
                    var sum = 0.0
                    for (iy, wy) in weights(image.height, height, y) {
                        for (ix, wx) in weights(image.width, width, x) { sum += wy * wx * Double(image.pixels[(iy * image.width + ix) * image.channels + c]) }
                    }
                    out.append(UInt8(min(max(sum.rounded(), 0), 255)))
                }
            }
        }
        return out
    }

    static func random(width: Int, height: Int, channels: Int) -> DecodedImage {
        var rng = SeededRandom(seed: UInt64(width * 1000 + height))
        return DecodedImage(width: width, height: height, channels: channels,
                            pixels: (0..<(width * height * channels)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
    }

    @Test func separableResizeMatchesTheNaiveOracle() {
        for (w, h, ow, oh) in [(7, 5, 14, 10), (40, 30, 9, 7), (13, 13, 28, 28), (100, 60, 28, 17), (5, 9, 5, 4)] {
            let image = Self.random(width: w, height: h, channels: 3)
            let fast = ImageResizer.resize(image, height: oh, width: ow)
            #expect(maxByteDifference(fast.pixels, naiveResize(image, height: oh, width: ow)) <= 1, "\(w)x\(h) -> \(ow)x\(oh)")
        }
    }

    @Test func upsamplingUsesPixelCenters() {
        let image = DecodedImage(width: 2, height: 1, channels: 1, pixels: [0, 255])
        #expect(ImageResizer.resize(image, height: 1, width: 4).pixels == [0, 64, 191, 255])
    }

    @Test func constantImageStaysConstant() {
        let image = DecodedImage(width: 37, height: 23, channels: 1, pixels: [UInt8](repeating: 77, count: 37 * 23))
        #expect(ImageResizer.resize(image, height: 8, width: 11).pixels.allSatisfy { $0 == 77 })
    }

    @Test func coefficientsSumToOne() {
        for (i, o) in [(100, 28), (28, 100), (3, 2), (1, 5)] {
            for taps in ImageResizer.coefficients(input: i, output: o) {
                #expect(abs(taps.weights.reduce(0, +) - 1) < 1e-5)
                #expect(taps.first >= 0 && taps.first + taps.weights.count <= i)
            }
        }
    }

    @Test func wideImageIsResizedToCoverAndCenterCropped() {
        // 40x20, column x has value 6x: resized to 20x10, the middle 10 columns survive.
        var pixels = [UInt8]()
        for _ in 0..<20 { for x in 0..<40 { pixels.append(UInt8(6 * x)) } }
        let out = ImageResizer.resizeAndCenterCrop(DecodedImage(width: 40, height: 20, channels: 1, pixels: pixels), height: 10, width: 10)
        #expect((out.width, out.height) == (10, 10))
        let row = Array(out.pixels[0..<10])
        #expect(row == row.sorted())
        #expect(abs(Int(row[0]) - 63) <= 2 && abs(Int(row[9]) - 171) <= 2)
    }

    @Test func sameSizeIsUntouched() {
        let image = Self.random(width: 28, height: 28, channels: 1)
        #expect(ImageResizer.resizeAndCenterCrop(image, height: 28, width: 28) == image)
    }
}
