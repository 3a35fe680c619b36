@testable import Data
import Testing

@Suite struct NormalizationTests {
    @Test func computedPerChannelMeanAndPopulationStd() {
        // Channel 0 holds 0 and 255 (mean 0.5, std 0.5); channel 1 is constant 51 (mean 0.2, std 0 → 1).
        let images = LabeledImages(count: 1, channels: 2, height: 1, width: 2, pixels: [0, 255, 51, 51], labels: [0], classNames: ["a"])
        let n = Normalization.computed(from: images)
        #expect(abs(n.mean[0] - 0.5) < 1e-6 && abs(n.std[0] - 0.5) < 1e-6)
        #expect(abs(n.mean[1] - 0.2) < 1e-6 && n.std[1] == 1)
    }

    @Test func lookupTableMatchesTheFormula() {
        let n = Normalization(mean: [0.2860, 0.5], std: [0.3530, 0.25])
        let t = n.lookupTable()
        #expect(t.count == 512)
        #expect(abs(t[200] - (200 / 255 - 0.2860) / 0.3530) < 1e-6)
        #expect(abs(t[256 + 255] - 2) < 1e-6)
    }

    @Test(.enabled(if: FashionMNIST.isInstalled(), "dataset-fashion-mnist is not installed"))
    func fashionMNISTStatisticsMatchTheBenchConstants() throws {
        let n = Normalization.computed(from: try FashionMNIST.load(split: .train))
        #expect(abs(n.mean[0] - Normalization.fashionMNIST.mean[0]) < 1e-4)
        #expect(abs(n.std[0] - Normalization.fashionMNIST.std[0]) < 1e-4)
    }

    @Test func wrongNumberOfChannels() {
        expectError(.shapeMismatch, "1 means and 1 stds for 3 channels") { try Normalization.fashionMNIST.validate(channels: 3) }
    }

    @Test func zeroStd() {
        expectError(.invalidSelection, "std must be positive") { try Normalization(mean: [0], std: [0]).validate(channels: 1) }
    }

    @Test func nonFiniteMean() {
        expectError(.invalidSelection, "std must be positive") { try Normalization(mean: [.nan], std: [1]).validate(channels: 1) }
    }
}
