@testable import Data
import Foundation

/// The committed photo fixtures (Fixtures/photos, written by Fixtures/make_photo_fixtures.py with
/// Pillow as the reference decoder and resampler).
enum PhotoFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/photos").path

    static func bytes(_ name: String) -> [UInt8] {
        Array(FileManager.default.contents(atPath: directory + "/" + name) ?? Foundation.Data())
    }

    /// A `.ref` file: "W H C\n" then HWC bytes.
    static func reference(_ name: String) -> DecodedImage {
        let all = bytes(name + ".ref")
        let newline = all.firstIndex(of: 10)!
        let header = String(decoding: all[..<newline], as: UTF8.self).split(separator: " ").map { Int($0)! }
        return DecodedImage(width: header[0], height: header[1], channels: header[2], pixels: Array(all[(newline + 1)...]))
    }

    /// Largest absolute difference between two images of the same shape (Int.max if shapes differ).
    static func maxDifference(_ a: DecodedImage, _ b: DecodedImage) -> Int {
        guard (a.width, a.height, a.channels) == (b.width, b.height, b.channels) else { return Int.max }
        return zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
    }
}
