@testable import Data
import Testing

@Suite struct FashionMNISTTests {
    static let installed = FashionMNIST.isInstalled()

    @Test(.enabled(if: installed, "dataset-fashion-mnist is not installed"))
    func trainSplitFromTheRealFiles() throws {
        let train = try FashionMNIST.load(split: .train)
        #expect(train.count == 60_000)
        #expect((train.channels, train.height, train.width) == (1, 28, 28))
        #expect(train.pixels.count == 60_000 * 784)
        #expect(Array(train.labels.prefix(10)) == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        #expect(train.classCounts == [Int](repeating: 6000, count: 10))
        #expect(train.classNames == FashionMNIST.classNames)
        // Matches the mean the bench protocol normalizes with: x = (p/255 - 0.2860) / 0.3530.
        let mean = Double(train.pixels.reduce(0) { $0 + Int($1) }) / Double(train.pixels.count) / 255
        #expect(abs(mean - 0.2860) < 1e-4)
        #expect(train.pixels[0..<784].reduce(0) { $0 + Int($1) } == 76_247)
        try train.validate()
    }

    @Test(.enabled(if: installed, "dataset-fashion-mnist is not installed"))
    func testSplitFromTheRealFiles() throws {
        let test = try FashionMNIST.load(split: .test)
        #expect(test.count == 10_000)
        #expect(Array(test.labels.prefix(10)) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        #expect(test.classCounts == [Int](repeating: 1000, count: 10))
    }

    @Test func classNamesInLabelOrder() {
        #expect(FashionMNIST.classNames.count == 10)
        #expect(FashionMNIST.classNames[0] == "T-shirt/top")
        #expect(FashionMNIST.classNames[9] == "Ankle boot")
    }

    @Test func rawUncompressedFilesLoadToo() throws {
        let dir = TemporaryDirectory("fmnist")
        writeSplit(dir, .train, images: 3, labels: [0, 9, 4], gzip: false)
        writeSplit(dir, .test, images: 1, labels: [2], gzip: true)
        #expect(FashionMNIST.isInstalled(root: dir.path))
        let train = try FashionMNIST.load(split: .train, root: dir.path)
        #expect(train.labels == [0, 9, 4])
        #expect(train.pixels[784] == 1)
        #expect(try FashionMNIST.load(split: .test, root: dir.path).labels == [2])
    }

    @Test func missingRootIsNotInstalledAndNamesTheFile() {
        #expect(!FashionMNIST.isInstalled(root: "/nonexistent/fmnist"))
        expectError(.missingPath, "images not found", path: "/nonexistent/fmnist/train-images-idx3-ubyte[.gz]") {
            try FashionMNIST.load(split: .train, root: "/nonexistent/fmnist")
        }
    }

    @Test func labelFileMissing() {
        let dir = TemporaryDirectory("fmnist")
        writeSplit(dir, .train, images: 2, labels: [1, 2], gzip: true)
        dir.remove("train-labels-idx1-ubyte.gz")
        #expect(!FashionMNIST.isInstalled(root: dir.path))
        expectError(.missingPath, "labels not found") { try FashionMNIST.load(split: .train, root: dir.path) }
    }

    @Test func moreLabelsThanImages() {
        let dir = TemporaryDirectory("fmnist")
        writeSplit(dir, .train, images: 2, labels: [1, 2, 3], gzip: true)
        expectError(.labelMismatch, "3 labels but", path: dir.path + "/train-labels-idx1-ubyte.gz") {
            try FashionMNIST.load(split: .train, root: dir.path)
        }
    }

    @Test func labelOutsideTheTenClasses() {
        let dir = TemporaryDirectory("fmnist")
        writeSplit(dir, .train, images: 2, labels: [1, 10], gzip: true)
        expectError(.labelMismatch, "label 10 at index 1") { try FashionMNIST.load(split: .train, root: dir.path) }
    }

    @Test func imageFileOfWrongRank() {
        let dir = TemporaryDirectory("fmnist")
        dir.write("train-images-idx3-ubyte", IDXFile(elementType: .uint8, dimensions: [4], payload: [1, 2, 3, 4]).encoded())
        dir.write("train-labels-idx1-ubyte", IDXFile(elementType: .uint8, dimensions: [4], payload: [1, 2, 3, 4]).encoded())
        expectError(.badIDXHeader, "rank 3") { try FashionMNIST.load(split: .train, root: dir.path) }
    }

    @Test func imageFileWhoseHeaderOverstatesTheCount() {
        let dir = TemporaryDirectory("fmnist")
        var images = IDXFile(elementType: .uint8, dimensions: [3, 28, 28], payload: [UInt8](repeating: 0, count: 3 * 784)).encoded()
        images.removeLast(784)
        dir.write("train-images-idx3-ubyte.gz", Gzip.compress(images))
        dir.write("train-labels-idx1-ubyte.gz", Gzip.compress(IDXFile(elementType: .uint8, dimensions: [3], payload: [1, 2, 3]).encoded()))
        expectError(.idxSizeMismatch, "need 2352 payload bytes but the file holds 1568", path: dir.path + "/train-images-idx3-ubyte.gz") {
            try FashionMNIST.load(split: .train, root: dir.path)
        }
    }

    /// Image `i` is filled with the byte value `i`.
    private func writeSplit(_ dir: TemporaryDirectory, _ split: DatasetSplit, images: Int, labels: [UInt8], gzip: Bool) {
        let stems = FashionMNIST.stems(split)
        var pixels = [UInt8]()
        for i in 0..<images { pixels += [UInt8](repeating: UInt8(i), count: 784) }
        let img = IDXFile(elementType: .uint8, dimensions: [images, 28, 28], payload: pixels).encoded()
        let lab = IDXFile(elementType: .uint8, dimensions: [labels.count], payload: labels).encoded()
        dir.write(stems.images + (gzip ? ".gz" : ""), gzip ? Gzip.compress(img) : img)
        dir.write(stems.labels + (gzip ? ".gz" : ""), gzip ? Gzip.compress(lab) : lab)
    }
}

