import Foundation

/// Learning rates suggested from an LR-finder curve, by fastai's rules (`valley` is fastai's default).
public struct LRSuggestions: Sendable, Equatable, Codable {
    /// fastai `valley`: in the longest valley (longest run of decreasing losses, found as a longest
    /// decreasing subsequence), the point about 1/3 + 1/6 of the way in.
    public var valley: Double
    /// fastai `steep`: the LR where the smoothed loss falls fastest against log(LR).
    public var steep: Double
    /// fastai `minimum`: a tenth of the LR at the lowest loss.
    public var minimum: Double

    public init(valley: Double, steep: Double, minimum: Double) {
        self.valley = valley
        self.steep = steep
        self.minimum = minimum
    }

    /// Suggestions for a curve (already trimmed as `LRFinder.suggestions` does); needs >= 2 points.
    public init(lrs: [Double], losses: [Double]) {
        valley = lrs[Self.valleyIndex(losses)]
        steep = lrs[Self.steepIndex(lrs: lrs, losses: losses)]
        minimum = lrs[losses.indices.min { losses[$0] < losses[$1] }!] / 10
    }

    /// A literal port of fastai's `valley`. fastai's index can be -1 for a two-point curve, which
    /// Python wraps to the last point; here it is clamped to the first.
    public static func valleyIndex(_ losses: [Double]) -> Int {
        let n = losses.count
        var maxStart = 0, maxEnd = 0
        var lds = [Int](repeating: 1, count: n)
        for i in 1..<max(1, n) {
            for j in 0..<i {
                if losses[i] < losses[j], lds[i] < lds[j] + 1 { lds[i] = lds[j] + 1 }
                if lds[maxEnd] < lds[i] {
                    maxEnd = i
                    maxStart = maxEnd - lds[maxEnd]
                }
            }
        }
        let sections = Double(maxEnd - maxStart) / 3
        return max(0, maxStart + Int(sections) + Int(sections / 2))
    }

    /// fastai's `steep`: the left point of the segment with the most negative d(loss)/d(log lr).
    public static func steepIndex(lrs: [Double], losses: [Double]) -> Int {
        var best = 0, bestGradient = Double.infinity
        for i in 0..<(losses.count - 1) {
            let gradient = (losses[i + 1] - losses[i]) / (log(lrs[i + 1]) - log(lrs[i]))
            if gradient < bestGradient {
                bestGradient = gradient
                best = i
            }
        }
        return best
    }
}
