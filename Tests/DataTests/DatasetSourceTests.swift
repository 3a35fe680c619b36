@testable import Data
import Testing

@Suite struct DatasetSourceTests {
    @Test(.enabled(if: FashionMNIST.isInstalled(), "dataset-fashion-mnist is not installed"))
    func builtInFashionMNISTHasBothSplits() throws {
        #expect(DatasetSource.installedBuiltIns() == ["fashion-mnist"])
        let loaded = try DatasetSource.builtIn(name: "fashion-mnist").load(channels: 1, height: 28, width: 28)
        #expect(loaded.train.count == 60_000 && loaded.test?.count == 10_000)
    }

    @Test(.enabled(if: FashionMNIST.isInstalled(), "dataset-fashion-mnist is not installed"))
    func builtInAtTheWrongInputSize() {
        expectError(.shapeMismatch, "model expects 3x32x32") {
            try DatasetSource.builtIn(name: "fashion-mnist").load(channels: 3, height: 32, width: 32)
        }
    }

    @Test func unknownBuiltIn() {
        expectError(.missingPath, "unknown built-in dataset 'cifar-10'") {
            try DatasetSource.builtIn(name: "cifar-10").load(channels: 3, height: 32, width: 32)
        }
    }

    @Test func splitImageFolder() throws {
        let dir = TemporaryDirectory("source")
        for (split, value) in [("train", UInt8(10)), ("test", UInt8(20))] {
            for cls in ["a", "b"] {
                dir.write("\(split)/\(cls)/1.png", try ImageEncoder.png([value], width: 1, height: 1, channels: 1))
            }
        }
        let loaded = try DatasetSource.imageFolder(root: dir.path).load(channels: 1, height: 2, width: 2)
        #expect(loaded.train.pixels.allSatisfy { $0 == 10 })
        #expect(loaded.test?.pixels.allSatisfy { $0 == 20 } == true)
        #expect(loaded.test?.classNames == ["a", "b"])
    }

    @Test func splitImageFolderWhoseTestClassesDiffer() throws {
        let dir = TemporaryDirectory("source")
        let png = try ImageEncoder.png([1], width: 1, height: 1, channels: 1)
        dir.write("train/a/1.png", png)
        dir.write("test/z/1.png", png)
        expectError(.labelMismatch, "test classes") { try DatasetSource.imageFolder(root: dir.path).load(channels: 1, height: 2, width: 2) }
    }

    @Test(.enabled(if: FashionMNIST.isInstalled(), "dataset-fashion-mnist is not installed"))
    func realFashionMNISTThroughSelectionAndLoader() throws {
        let loaded = try DatasetSource.builtIn(name: "fashion-mnist").load(channels: 1, height: 28, width: 28)
        let selected = try DataSelection.stratified(classes: [5, 6, 7, 8, 9], perClass: 100, validationFraction: 0.2, seed: 42)
            .apply(train: loaded.train, test: loaded.test)
        #expect(selected.classNames == ["Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"])
        let loader = try Batcher(images: selected.train, normalization: .fashionMNIST,
                                 configuration: .init(batchSize: 64, seed: 42, augmentation: .standard))
        let batches = Array(loader)
        #expect(batches.map(\.count) == [64, 64, 64, 64, 64, 64, 16])
        let all = batches.flatMap(\.images)
        #expect(all.count == 400 * 784)
        let mean = all.reduce(0, +) / Float(all.count)
        #expect(abs(mean) < 0.3)  // normalized around 0 (augmentation's zero padding pulls it down a little)
        #expect(Set(batches.flatMap(\.labels)) == Set(0..<5))
    }
}
