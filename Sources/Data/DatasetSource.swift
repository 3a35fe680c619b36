/// Where a job's images come from: a built-in dataset by name, or an image folder on disk.
/// `load` returns the source's training split and, when it has one, its test split, ready for a
/// `DataSelection`.
public enum DatasetSource: Sendable, Equatable, Codable {
    /// A built-in dataset; today only `fashion-mnist` (`FashionMNIST.name`).
    case builtIn(name: String)
    /// An ImageFolder root; when it holds `train/` (and `test/`) sub-folders those are the splits
    /// (see `ImageFolder.splitRoots`).
    case imageFolder(root: String)

    /// Names of the built-in datasets installed on this machine.
    public static func installedBuiltIns() -> [String] {
        FashionMNIST.isInstalled() ? [FashionMNIST.name] : []
    }

    public struct Loaded: Sendable {
        public var train: LabeledImages
        public var test: LabeledImages?
        /// Bad files left out of an image folder (always empty for built-ins).
        public var skipped: [SkippedFile]
        /// The whole photo behind each `train` image, when asked for and the stored images are crops
        /// of larger photos (image folders); nil otherwise: a built-in's images are whole already.
        public var trainFrames: PhotoFrames?

        public init(train: LabeledImages, test: LabeledImages?, skipped: [SkippedFile], trainFrames: PhotoFrames? = nil) {
            self.train = train
            self.test = test
            self.skipped = skipped
            self.trainFrames = trainFrames
        }
    }

    /// Loads both splits. Folder images are decoded to `channels`x`height`x`width`; built-in
    /// datasets keep their native shape (check it against the model with `validate`). No file or
    /// link of a folder may resolve outside `root` (see `ImageFolder.load` for `limits`, `memory`).
    /// `wholePhotos` also loads a folder's training photos whole (`trainFrames`), for random-resized-crop.
    public func load(channels: Int, height: Int, width: Int, cacheDirectory: String? = nil,
                     skipBad: Bool = false, limits: ImageFileLimits = .default,
                     memory: ImageFolderMemoryCache? = nil, cropFraction: Double = 1, wholePhotos: Bool = false,
                     onCacheRejected: (@Sendable (_ path: String, _ reason: String) -> Void)? = nil) throws(DataError) -> Loaded {
        switch self {
        case let .builtIn(name):
            guard cropFraction == 1 else {
                throw DataError(.invalidSelection, path: nil, "crop_fraction applies to image folders; \(name) keeps its native size")
            }
            guard name == FashionMNIST.name else {
                throw DataError(.missingPath, path: nil, "unknown built-in dataset '\(name)' (known: \(FashionMNIST.name))")
            }
            guard FashionMNIST.isInstalled() else {
                throw DataError(.missingPath, path: FashionMNIST.defaultRoot,
                                "built-in dataset '\(name)' is not installed (apt-get install dataset-fashion-mnist)")
            }
            let train = try FashionMNIST.load(split: .train)
            guard (train.channels, train.height, train.width) == (channels, height, width) else {
                throw DataError(.shapeMismatch, path: FashionMNIST.defaultRoot,
                                "\(name) images are \(train.channels)x\(train.height)x\(train.width), the model expects \(channels)x\(height)x\(width)")
            }
            return Loaded(train: train, test: try FashionMNIST.load(split: .test), skipped: [])
        case let .imageFolder(root):
            let roots = ImageFolder.splitRoots(root: root)
            let (train, skippedTrain) = try ImageFolder.load(root: roots.train, channels: channels, height: height, width: width,
                                                             cacheDirectory: cacheDirectory, skipBad: skipBad, containedIn: root,
                                                             limits: limits, memory: memory, cropFraction: cropFraction,
                                                           onCacheRejected: onCacheRejected)
            var frames: PhotoFrames?
            if wholePhotos {
                frames = try ImageFolder.loadFrames(root: roots.train, channels: channels, height: height, width: width,
                                                    cacheDirectory: cacheDirectory, skipBad: skipBad, containedIn: root,
                                                    limits: limits, memory: memory, onCacheRejected: onCacheRejected).0
                guard frames?.count == train.count else {
                    throw DataError(.shapeMismatch, path: roots.train, "the folder changed while it was read: load it again")
                }
            }
            guard let testRoot = roots.test else { return Loaded(train: train, test: nil, skipped: skippedTrain, trainFrames: frames) }
            let (test, skippedTest) = try ImageFolder.load(root: testRoot, channels: channels, height: height, width: width,
                                                           cacheDirectory: cacheDirectory, skipBad: skipBad, containedIn: root,
                                                           limits: limits, memory: memory, cropFraction: cropFraction,
                                                             onCacheRejected: onCacheRejected)
            guard test.classNames == train.classNames else {
                throw DataError(.labelMismatch, path: testRoot, "test classes \(test.classNames) differ from train classes \(train.classNames)")
            }
            return Loaded(train: train, test: test, skipped: skippedTrain + skippedTest, trainFrames: frames)
        }
    }
}
