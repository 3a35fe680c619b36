@testable import Data
import Foundation

enum Fixtures {
    /// `labels.count` images of `c`x`h`x`w` whose bytes are a seeded pseudo-random pattern.
    static func images(labels: [Int], classes: Int, c: Int = 1, h: Int = 4, w: Int = 4, seed: UInt64 = 1) -> LabeledImages {
        var rng = SeededRandom(seed: seed)
        let pixels = (0..<(labels.count * c * h * w)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        return LabeledImages(count: labels.count, channels: c, height: h, width: w, pixels: pixels, labels: labels,
                             classNames: (0..<classes).map { "class\($0)" })
    }

    /// `perClass` images of each of `classes` classes, interleaved (labels 0,1,2,…,0,1,2,…).
    static func balanced(classes: Int, perClass: Int, c: Int = 1, h: Int = 4, w: Int = 4) -> LabeledImages {
        images(labels: (0..<(classes * perClass)).map { $0 % classes }, classes: classes, c: c, h: h, w: w)
    }

    /// `examples/fewshot/fewshot_pick.json` in the repository (nil if unreadable).
    static func fewshotPick() -> [String: Any]? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent("examples/fewshot/fewshot_pick.json")
        guard let bytes = try? Foundation.Data(contentsOf: url) else { return nil }
        return (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any]
    }
}
