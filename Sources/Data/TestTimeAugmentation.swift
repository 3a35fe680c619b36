/// Test-time augmentation: evaluate each image under several fixed views and average the model's
/// probabilities. View 0 is always the original, so `views.prefix(1)` is plain evaluation.
public struct TestTimeAugmentation: Sendable, Equatable, Codable {
    public var views: [ImageTransform]

    public init(views: [ImageTransform]) {
        self.views = views.first == .identity ? views : [.identity] + views.filter { $0 != .identity }
    }

    /// Original and its mirror image.
    public static let flip = TestTimeAugmentation(views: [.identity, ImageTransform(flip: true)])

    /// Original, its mirror, and the four corner crops of a `pad`-padded image (shifts of ±pad),
    /// the "original + flips/crops" set. `pad` 0 gives `flip`.
    public static func flipsAndCrops(pad: Int) -> TestTimeAugmentation {
        var views: [ImageTransform] = [.identity, ImageTransform(flip: true)]
        if pad > 0 {
            for (dx, dy) in [(-pad, -pad), (pad, -pad), (-pad, pad), (pad, pad)] { views.append(ImageTransform(dx: dx, dy: dy)) }
        }
        return TestTimeAugmentation(views: views)
    }

    /// Averages per-view probabilities: `probabilities[v]` is view v's (N, classes) row-major
    /// softmax output; returns (N, classes).
    public static func average(_ probabilities: [[Float]]) -> [Float] {
        guard var sum = probabilities.first else { return [] }
        for p in probabilities.dropFirst() {
            precondition(p.count == sum.count, "every view must cover the same images and classes")
            for i in sum.indices { sum[i] += p[i] }
        }
        let scale = 1 / Float(probabilities.count)
        return sum.map { $0 * scale }
    }
}
