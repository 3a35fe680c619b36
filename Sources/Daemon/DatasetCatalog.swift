import Data
import Foundation
import JobAPI
import Store

/// The datasets a job may name: the built-in `fashion-mnist` (when Debian's package is installed)
/// and image folders registered under `--dataset-root`. Decoded images are kept in memory, because
/// consecutive jobs on the same data are the common case: the built-in by shape, folders by
/// (canonical folder, shape) in one `ImageFolderMemoryCache`, so a folder registered twice is
/// decoded and held once. Every folder load re-lists the folder (cheap: stat only), so a changed
/// folder is re-decoded rather than served stale.
///
/// Errors leaving the catalog name paths relative to the dataset root (`publicPath`): absolute
/// server paths are none of a client's business.
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
    let datasetRoot: String
    let limits: ImageFileLimits
    let folders = ImageFolderMemoryCache()
    private let lock = NSLock()
    private var builtinLoaded: [String: DatasetSource.Loaded] = [:]
    private var builtinInfo: Info?

    /// Sweeps the image cache's orphaned temp files (writes cut short by a killed thawd) first;
    /// `sharedCache`: other nodes write into `cacheDirectory` too, so its temp files are swept by age
    /// (`Store.sharedSweepAge`) rather than by pid (see `ImageFolder.sweepCacheTemporaries`).
    init(store: Store, fashionMNISTRoot: String, cacheDirectory: String, sharedCache: Bool = false, datasetRoot: String,
         limits: ImageFileLimits = .default) {
        self.store = store
        self.fashionMNISTRoot = fashionMNISTRoot
        self.cacheDirectory = cacheDirectory
        self.datasetRoot = datasetRoot
        self.limits = limits
        let swept = ImageFolder.sweepCacheTemporaries(cacheDirectory: cacheDirectory,
                                                      sharedUntouchedFor: sharedCache ? Store.sharedSweepAge : nil)
        if !swept.isEmpty { Log.info("image cache: removed \(swept.count) orphaned temp file(s)") }
    }

    var fashionMNISTInstalled: Bool { FashionMNIST.isInstalled(root: fashionMNISTRoot) }

    /// Loads a dataset's splits at the model's input shape (built-ins keep their native shape).
    /// `cropFraction` (image folders only) is `DatasetSpec.cropFraction`; `wholePhotos` adds a folder's
    /// training photos whole (`DatasetSource.Loaded.trainFrames`).
    func load(id: String, channels: Int, height: Int, width: Int, cropFraction: Double = 1,
              wholePhotos: Bool = false) throws -> DatasetSource.Loaded {
        guard id == FashionMNIST.name else {
            return try loadFolder(path: try store.dataset(id).path, channels: channels, height: height, width: width,
                                  cropFraction: cropFraction, wholePhotos: wholePhotos)
        }
        guard cropFraction == 1 else {
            throw DataError(.invalidSelection, path: nil, "crop_fraction applies to image folders; \(id) keeps its native size")
        }
        let key = "\(channels)x\(height)x\(width)"
        if let hit = lock.withLock({ builtinLoaded[key] }) { return hit }
        let train = try FashionMNIST.load(split: .train, root: fashionMNISTRoot)
        guard (train.channels, train.height, train.width) == (channels, height, width) else {
            throw DataError(.shapeMismatch, path: fashionMNISTRoot,
                            "fashion-mnist images are \(train.channels)x\(train.height)x\(train.width), the model expects \(channels)x\(height)x\(width)")
        }
        let result = DatasetSource.Loaded(train: train, test: try FashionMNIST.load(split: .test, root: fashionMNISTRoot), skipped: [])
        lock.withLock { builtinLoaded[key] = result }
        return result
    }

    /// A folder's splits through the shared memory cache; bad images skipped, refusals thrown.
    private func loadFolder(path: String, channels: Int, height: Int, width: Int, cropFraction: Double = 1,
                            wholePhotos: Bool = false) throws -> DatasetSource.Loaded {
        do {
            return try DatasetSource.imageFolder(root: path)
                .load(channels: channels, height: height, width: width, cacheDirectory: cacheDirectory, skipBad: true,
                      limits: limits, memory: folders, cropFraction: cropFraction, wholePhotos: wholePhotos,
                      onCacheRejected: { path, reason in
                          Log.warning("image cache \(path) not used (\(reason)); decoding the images and writing it anew")
                      })
        } catch {
            throw error.mapPath(publicPath)
        }
    }

    /// `path` as a client may see it: relative to the dataset root when under it (as clients name
    /// datasets), `<cache>/name` for the image cache, else only its last component.
    func publicPath(_ path: String) -> String {
        let roots = [DatasetPathResolver.canonical(datasetRoot), datasetRoot].compactMap { $0 }
        for base in roots where path == base { return "." }
        for base in roots where path.hasPrefix(base + "/") { return String(path.dropFirst(base.count + 1)) }
        if path.hasPrefix(cacheDirectory + "/") { return "<cache>/" + path.dropFirst(cacheDirectory.count + 1) }
        return path.hasPrefix("/") ? (path as NSString).lastPathComponent : path
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

    /// Drops a deleted dataset's decoded images from memory (the folder and its train/ and test/
    /// splits, every shape), unless another registered dataset still names the same folder.
    func forget(path: String) {
        var after: String?
        repeat {
            guard let page = try? store.datasets(page: PageRequest(after: after, limit: PageRequest.maxLimit)) else { return }
            if page.data.contains(where: { $0.path == path }) { return }
            after = page.nextCursor(\.id)
        } while after != nil
        for folder in [path, path + "/train", path + "/test"] { folders.evict(folder: folder) }
    }

    /// Decodes a folder once (validating every image, listing bad ones) and records it.
    func register(name: String, path: String, channels: Int, size: Int) throws -> Info {
        let data = try loadFolder(path: path, channels: channels, height: size, width: size)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func text<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        let record = try store.createDataset(
            name: name, path: path, classes: try text(data.train.classNames),
            counts: try text(Counts(train: data.train.classCounts, test: data.test?.classCounts)),
            skipped: try text(data.skipped))
        return try Self.info(record)
    }
}
