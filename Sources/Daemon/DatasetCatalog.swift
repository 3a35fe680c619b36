import Data
import Foundation
import Store

/// The datasets a job may name: the built-in `fashion-mnist` (when Debian's package is installed)
/// and image folders registered under `--dataset-root`. Loaded images are kept in memory by
/// (dataset, shape), because consecutive jobs on the same data are the common case.
final class DatasetCatalog: @unchecked Sendable {
    struct Info {
        var id: String
        var name: String
        var builtin: Bool
        var path: String?
        var classNames: [String]
        var trainCounts: [Int]
        var testCounts: [Int]?
        var skipped: [SkippedFile]
        var createdAt: Date?
    }

    let store: Store
    let fashionMNISTRoot: String
    let cacheDirectory: String
    private let lock = NSLock()
    private var loaded: [String: DatasetSource.Loaded] = [:]
    private var builtinInfo: Info?

    init(store: Store, fashionMNISTRoot: String, cacheDirectory: String) {
        self.store = store
        self.fashionMNISTRoot = fashionMNISTRoot
        self.cacheDirectory = cacheDirectory
    }

    var fashionMNISTInstalled: Bool { FashionMNIST.isInstalled(root: fashionMNISTRoot) }

    /// Loads a dataset's splits at the model's input shape (built-ins keep their native shape).
    func load(id: String, channels: Int, height: Int, width: Int) throws -> DatasetSource.Loaded {
        let key = "\(id)/\(channels)x\(height)x\(width)"
        if let hit = lock.withLock({ loaded[key] }) { return hit }
        let result: DatasetSource.Loaded
        if id == FashionMNIST.name {
            let train = try FashionMNIST.load(split: .train, root: fashionMNISTRoot)
            guard (train.channels, train.height, train.width) == (channels, height, width) else {
                throw DataError(.shapeMismatch, path: fashionMNISTRoot,
                                "fashion-mnist images are \(train.channels)x\(train.height)x\(train.width), the model expects \(channels)x\(height)x\(width)")
            }
            result = DatasetSource.Loaded(train: train, test: try FashionMNIST.load(split: .test, root: fashionMNISTRoot), skipped: [])
        } else {
            let record = try store.dataset(id)
            result = try DatasetSource.imageFolder(root: record.path)
                .load(channels: channels, height: height, width: width, cacheDirectory: cacheDirectory, skipBad: true)
        }
        lock.withLock { loaded[key] = result }
        return result
    }

    func info(id: String) throws -> Info {
        if id == FashionMNIST.name {
            guard fashionMNISTInstalled else { throw StoreError.notFound(kind: "dataset", id: id) }
            if let cached = lock.withLock({ builtinInfo }) { return cached }
            let data = try load(id: id, channels: 1, height: 28, width: 28)
            let info = Info(id: id, name: id, builtin: true, path: nil, classNames: data.train.classNames,
                            trainCounts: data.train.classCounts, testCounts: data.test?.classCounts, skipped: [])
            lock.withLock { builtinInfo = info }
            return info
        }
        return try Self.info(try store.dataset(id))
    }

    static func info(_ record: DatasetRecord) throws -> Info {
        let decoder = JSONDecoder()
        let classes = try decoder.decode([String].self, from: Data(record.classes.utf8))
        let counts = try decoder.decode(Counts.self, from: Data(record.counts.utf8))
        let skipped = try decoder.decode([SkippedFile].self, from: Data(record.skipped.utf8))
        return Info(id: record.id, name: record.name, builtin: false, path: record.path, classNames: classes,
                    trainCounts: counts.train, testCounts: counts.test, skipped: skipped, createdAt: record.createdAt)
    }

    struct Counts: Codable {
        var train: [Int]
        var test: [Int]?
    }

    /// Drops a deleted dataset's decoded images from memory.
    func forget(id: String) {
        lock.withLock { loaded = loaded.filter { !$0.key.hasPrefix(id + "/") } }
    }

    /// Decodes a folder once (validating every image, listing bad ones) and records it.
    func register(name: String, path: String, channels: Int, size: Int) throws -> Info {
        let data = try DatasetSource.imageFolder(root: path)
            .load(channels: channels, height: size, width: size, cacheDirectory: cacheDirectory, skipBad: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func text<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        let record = try store.createDataset(
            name: name, path: path, classes: try text(data.train.classNames),
            counts: try text(Counts(train: data.train.classCounts, test: data.test?.classCounts)),
            skipped: try text(data.skipped))
        lock.withLock { loaded["\(record.id)/\(channels)x\(size)x\(size)"] = data }
        return try Self.info(record)
    }
}
