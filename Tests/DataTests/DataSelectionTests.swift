@testable import Data
import Testing

@Suite struct DataSelectionTests {
    static let source = Fixtures.balanced(classes: 4, perClass: 10)

    @Test func stratifiedPickIsBalancedDisjointAndSorted() throws {
        let s = try DataSelection.stratified(perClass: 6, validationFraction: 0.5, seed: 7).apply(train: Self.source)
        #expect(s.train.classCounts == [3, 3, 3, 3])
        #expect(s.validation.classCounts == [3, 3, 3, 3])
        #expect(Set(s.trainIndices).isDisjoint(with: s.validationIndices))
        #expect(s.trainIndices == s.trainIndices.sorted())
        #expect(s.train.labels == s.trainIndices.map { Self.source.labels[$0] })
        #expect(s.train == Self.source.gathering(s.trainIndices))
    }

    @Test func sameSeedSamePickOtherSeedOtherPick() throws {
        let a = try DataSelection.stratified(perClass: 4, validationFraction: 0.25, seed: 1).apply(train: Self.source)
        let b = try DataSelection.stratified(perClass: 4, validationFraction: 0.25, seed: 1).apply(train: Self.source)
        let c = try DataSelection.stratified(perClass: 4, validationFraction: 0.25, seed: 2).apply(train: Self.source)
        #expect(a.trainIndices == b.trainIndices && a.validationIndices == b.validationIndices)
        #expect(a.trainIndices != c.trainIndices)
    }

    @Test func perClassOmittedTakesEveryImage() throws {
        let s = try DataSelection.stratified(validationFraction: 0.2, seed: 3).apply(train: Self.source)
        #expect(s.train.count + s.validation.count == 40)
        #expect(s.validation.classCounts == [2, 2, 2, 2])
    }

    @Test func zeroValidationFractionKeepsAllForTraining() throws {
        let s = try DataSelection.stratified(perClass: 5, validationFraction: 0, seed: 3).apply(train: Self.source)
        #expect(s.train.count == 20 && s.validation.count == 0)
    }

    @Test func tinyFractionStillValidatesOneImagePerClass() throws {
        let s = try DataSelection.stratified(perClass: 3, validationFraction: 0.01, seed: 3).apply(train: Self.source)
        #expect(s.validation.classCounts == [1, 1, 1, 1])
        #expect(s.train.classCounts == [2, 2, 2, 2])
    }

    @Test func classSubsetIsRelabelledInTheGivenOrder() throws {
        let test = Fixtures.balanced(classes: 4, perClass: 3)
        let s = try DataSelection.stratified(classes: [3, 1], validationFraction: 0.1, seed: 0).apply(train: Self.source, test: test)
        #expect(s.classNames == ["class3", "class1"])
        #expect(s.sourceClasses == [3, 1])
        for (k, i) in s.trainIndices.enumerated() { #expect(s.train.labels[k] == (Self.source.labels[i] == 3 ? 0 : 1)) }
        #expect(s.test?.count == 6)
        #expect(s.test?.classCounts == [3, 3])
        #expect(s.test?.classNames == ["class3", "class1"])
    }

    @Test func explicitListsAreUsedVerbatimAndInOrder() throws {
        let sel = DataSelection(classes: [2, 0], split: .explicit(train: [6, 0, 2], validation: [4]))
        let s = try sel.apply(train: Self.source)
        #expect(s.trainIndices == [6, 0, 2])
        #expect(s.train.labels == [0, 1, 0])
        #expect(s.validation.labels == [1])
        #expect(s.train.pixels == Self.source.gathering([6, 0, 2]).pixels)
    }

    // MARK: malformed selections, one case each

    @Test func classOutsideTheSource() {
        expectError(.invalidSelection, "classes: 4 is not a class") {
            try DataSelection.stratified(classes: [0, 4]).apply(train: Self.source)
        }
    }

    @Test func classListedTwice() {
        expectError(.invalidSelection, "listed twice") { try DataSelection.stratified(classes: [1, 1]).apply(train: Self.source) }
    }

    @Test func emptyClassList() {
        expectError(.invalidSelection, "classes: empty") { try DataSelection.stratified(classes: []).apply(train: Self.source) }
    }

    @Test func perClassZero() {
        expectError(.invalidSelection, "per_class: 0") { try DataSelection.stratified(perClass: 0).apply(train: Self.source) }
    }

    @Test func perClassMoreThanAClassHas() {
        expectError(.invalidSelection, "per_class: 11 but class 0 has only 10") {
            try DataSelection.stratified(perClass: 11).apply(train: Self.source)
        }
    }

    @Test func validationFractionOfOne() {
        expectError(.invalidSelection, "validation_fraction: 1.0") {
            try DataSelection.stratified(validationFraction: 1).apply(train: Self.source)
        }
    }

    @Test func negativeValidationFraction() {
        expectError(.invalidSelection, "validation_fraction: -0.1") {
            try DataSelection.stratified(validationFraction: -0.1).apply(train: Self.source)
        }
    }

    @Test func selectedClassWithNoImages() {
        let source = Fixtures.images(labels: [0, 0, 2, 2], classes: 3)
        expectError(.emptyClass, "class 1 has no images") { try DataSelection.stratified().apply(train: source) }
    }

    @Test func explicitIndexOutOfRange() {
        expectError(.invalidSelection, "train: index 40 is outside") {
            try DataSelection(split: .explicit(train: [0, 40], validation: [])).apply(train: Self.source)
        }
    }

    @Test func explicitNegativeIndex() {
        expectError(.invalidSelection, "validation: index -1") {
            try DataSelection(split: .explicit(train: [0], validation: [-1])).apply(train: Self.source)
        }
    }

    @Test func explicitIndexOfAnUnselectedClass() {
        expectError(.invalidSelection, "index 1 has label 1, not one of the selected") {
            try DataSelection(classes: [0], split: .explicit(train: [0, 1], validation: [])).apply(train: Self.source)
        }
    }

    @Test func explicitIndexInBothLists() {
        expectError(.invalidSelection, "index 4 appears twice") {
            try DataSelection(split: .explicit(train: [0, 4], validation: [4])).apply(train: Self.source)
        }
    }

    @Test func explicitEmptyTrainList() {
        expectError(.invalidSelection, "train: empty") {
            try DataSelection(split: .explicit(train: [], validation: [1])).apply(train: Self.source)
        }
    }

    @Test func testSplitWithOtherClasses() {
        let test = Fixtures.balanced(classes: 3, perClass: 2)
        expectError(.labelMismatch, "test split classes") { try DataSelection.stratified().apply(train: Self.source, test: test) }
    }

    @Test func labelCountNotMatchingTheModel() throws {
        let s = try DataSelection.stratified(classes: [0, 1, 2]).apply(train: Self.source)
        expectError(.labelMismatch, "data has 3 classes but the model's head has 10") { try s.train.checkMatchesModel(classes: 10) }
        try s.train.checkMatchesModel(classes: 3)
    }

    // MARK: the bench protocol on the real files

    @Test(.enabled(if: FashionMNIST.isInstalled(), "needs Fashion-MNIST"))
    func fewShotProtocolPickOnRealFashionMNIST() throws {
        let pick = try #require(Fixtures.fewshotPick(), "examples/fewshot/fewshot_pick.json is unreadable")
        let target = pick["target"] as! [String: Any]
        let classes = target["classes"] as! [Int]
        let selection = DataSelection(classes: classes, split: .explicit(train: target["train"] as! [Int],
                                                                          validation: target["validation"] as! [Int]))
        let s = try selection.apply(train: FashionMNIST.load(split: .train), test: FashionMNIST.load(split: .test))
        #expect(s.classNames == ["Trouser", "Dress", "Coat", "Shirt", "Ankle boot"])
        #expect(s.train.classCounts == [10, 10, 10, 10, 10])
        #expect(s.validation.classCounts == [10, 10, 10, 10, 10])
        #expect(s.test?.count == 5000)
        #expect(s.test?.classCounts == [1000, 1000, 1000, 1000, 1000])

        let sourcePick = pick["source"] as! [String: Any]
        let seeded = try DataSelection.stratified(classes: sourcePick["classes"] as? [Int], validationFraction: 0.05, seed: 42)
            .apply(train: FashionMNIST.load(split: .train))
        #expect(seeded.train.count == (sourcePick["train"] as! [Int]).count)
        #expect(seeded.validation.count == (sourcePick["validation"] as! [Int]).count)
    }
}
