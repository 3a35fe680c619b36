@testable import Data
import Testing

@Suite struct AugmentationTests {
    /// 1x3x3 image 1...9.
    static let image: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 9]

    @Test func shiftRightAndDownFillsTheUncoveredEdge() {
        let out = ImageTransform(dx: 1, dy: 1).apply(Self.image[...], channels: 1, height: 3, width: 3)
        #expect(out == [0, 0, 0, 0, 1, 2, 0, 4, 5])
    }

    @Test func flipMirrorsEachRow() {
        let out = ImageTransform(flip: true).apply(Self.image[...], channels: 1, height: 3, width: 3)
        #expect(out == [3, 2, 1, 6, 5, 4, 9, 8, 7])
    }

    @Test func shiftThenFlipWithCustomFill() {
        let out = ImageTransform(dx: -1, dy: 0, flip: true).apply(Self.image[...], channels: 1, height: 3, width: 3, fill: 9)
        // Shift left: [2,3,F],[5,6,F],[8,9,F]; mirrored: [F,3,2]…
        #expect(out == [9, 3, 2, 9, 6, 5, 9, 9, 8])
    }

    @Test func sameKeysSameTransform() {
        let a = Augmentation(padCrop: 2, horizontalFlip: true, translate: 1)
        #expect(a.transform(seed: 5, epoch: 3, position: 17) == a.transform(seed: 5, epoch: 3, position: 17))
        let all = (0..<64).map { a.transform(seed: 5, epoch: 3, position: $0) }
        #expect(all != (0..<64).map { a.transform(seed: 5, epoch: 4, position: $0) })
        #expect(all != (0..<64).map { a.transform(seed: 6, epoch: 3, position: $0) })
    }

    @Test func shiftsCoverTheirWholeRangeAndStayInIt() {
        let a = Augmentation(padCrop: 2)
        let ts = (0..<2000).map { a.transform(seed: 1, epoch: 0, position: $0) }
        #expect(Set(ts.map(\.dx)) == Set(-2...2))
        #expect(Set(ts.map(\.dy)) == Set(-2...2))
        #expect(ts.allSatisfy { !$0.flip })
    }

    @Test func flipIsRoughlyAFairCoin() {
        let a = Augmentation(horizontalFlip: true)
        let flips = (0..<4000).filter { a.transform(seed: 9, epoch: 0, position: $0).flip }.count
        #expect(flips > 1800 && flips < 2200)
    }

    @Test func translationAddsToPadCrop() {
        let a = Augmentation(padCrop: 1, translate: 2)
        let dx = Set((0..<3000).map { a.transform(seed: 2, epoch: 1, position: $0).dx })
        #expect(dx == Set(-3...3))
    }

    @Test func noAugmentationIsTheIdentity() {
        #expect(Augmentation.none.transform(seed: 1, epoch: 2, position: 3) == .identity)
    }

    @Test func negativePadding() {
        expectError(.invalidSelection, "must be >= 0") { try Augmentation(padCrop: -1).validate(height: 28, width: 28) }
    }

    @Test func shiftLargerThanTheImage() {
        expectError(.invalidSelection, "would empty a 28x28 image") {
            try Augmentation(padCrop: 20, translate: 8).validate(height: 28, width: 28)
        }
    }

    @Test func ttaStartsWithTheOriginal() {
        #expect(TestTimeAugmentation.flip.views == [.identity, ImageTransform(flip: true)])
        let crops = TestTimeAugmentation.flipsAndCrops(pad: 2)
        #expect(crops.views.count == 6 && crops.views[0] == .identity)
        #expect(TestTimeAugmentation(views: [ImageTransform(flip: true)]).views.first == .identity)
    }

    @Test func ttaAverageOfProbabilities() {
        #expect(TestTimeAugmentation.average([[1, 0], [0, 1]]) == [0.5, 0.5])
    }
}
