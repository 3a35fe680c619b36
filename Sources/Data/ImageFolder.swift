import Foundation

/// Image folders in torchvision's ImageFolder layout: `root/<class-name>/…/<image>.png|.jpg|.jpeg`.
/// Classes are the sub-folder names in byte order (label i = i-th name); images within a class are
/// in path order, so explicit index lists stay meaningful across runs and tools.
///
/// Each image is decoded (libpng / libjpeg-turbo), converted to `channels` (1 or 3), resized to
/// cover `height`x`width` (bilinear) and center-cropped. With a `cacheDirectory` the result is
/// stored once as a binary cache keyed by every image's path, size and mtime; touching, adding or
/// removing an image rebuilds it.
public enum ImageFolder {
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]

    public static func isImageName(_ name: String) -> Bool {
        imageExtensions.contains((name as NSString).pathExtension.lowercased())
    }

    /// Loads the folder. Bad files — unreadable, truncated or corrupt images, files that are not
    /// images, files outside a class folder — throw a `DataError` naming the first one, unless
    /// `skipBad`, in which case they are left out and listed in `skipped`. Missing roots, a root
    /// with no class folders, a class left with no images, and refusals (`DataError.isRefusal`:
    /// a link leaving `containedIn`, a FIFO or device named like an image, a file or image over
    /// `limits`) always throw.
    ///
    /// With `memory`, a folder already decoded at this shape with an unchanged listing is returned
    /// from it without reading any image or cache file.
    public static func load(root: String, channels: Int, height: Int, width: Int, cacheDirectory: String? = nil,
                            skipBad: Bool = false, containedIn: String? = nil, limits: ImageFileLimits = .default,
                            memory: ImageFolderMemoryCache? = nil,
                            cropFraction: Double = 1,
                            onCacheRejected: (@Sendable (_ path: String, _ reason: String) -> Void)? = nil)
        throws(DataError) -> (LabeledImages, skipped: [SkippedFile])
    {
        guard cropFraction >= 0.5, cropFraction <= 1 else {
            throw DataError(.invalidSelection, path: root, "crop_fraction: \(cropFraction) must lie in [0.5, 1]")
        }
        let (entry, skipped) = try loadEntry(root: root, channels: channels, height: height, width: width, fit: .crop(cropFraction),
                                             cacheDirectory: cacheDirectory, skipBad: skipBad, containedIn: containedIn,
                                             limits: limits, memory: memory, onCacheRejected: onCacheRejected)
        return (entry.images, skipped)
    }

    /// The folder's whole photos for a model input of `height`x`width` (`PhotoFrames`), in the same
    /// order and with the same bad files left out as `load` gives; cached the same way, as its own
    /// shape.
    public static func loadFrames(root: String, channels: Int, height: Int, width: Int, cacheDirectory: String? = nil,
                                  skipBad: Bool = false, containedIn: String? = nil, limits: ImageFileLimits = .default,
                                  memory: ImageFolderMemoryCache? = nil,
                                  onCacheRejected: (@Sendable (_ path: String, _ reason: String) -> Void)? = nil)
        throws(DataError) -> (PhotoFrames, skipped: [SkippedFile])
    {
        let (entry, skipped) = try loadEntry(root: root, channels: channels, height: height, width: width, fit: .frame,
                                             cacheDirectory: cacheDirectory, skipBad: skipBad, containedIn: containedIn,
                                             limits: limits, memory: memory, onCacheRejected: onCacheRejected)
        let im = entry.images
        guard let sizes = entry.photoSizes, sizes.count == im.count else {
            throw DataError(.shapeMismatch, path: root, "whole-photo frames without their photo sizes")
        }
        return (PhotoFrames(count: im.count, channels: im.channels, height: im.height, width: im.width, pixels: im.pixels,
                            photoSizes: sizes), skipped)
    }

    /// How each photo becomes stored pixels.
    enum Fit: Equatable {
        /// The model's input itself: resized and center-cropped (`crop_fraction`, see `DatasetSpec`).
        case crop(Double)
        /// The whole photo squeezed into `PhotoFrames.frameSize` of the input, its size kept.
        case frame
    }

    private static func loadEntry(root: String, channels: Int, height: Int, width: Int, fit: Fit, cacheDirectory: String?,
                                  skipBad: Bool, containedIn: String?, limits: ImageFileLimits, memory: ImageFolderMemoryCache?,
                                  onCacheRejected: (@Sendable (_ path: String, _ reason: String) -> Void)?)
        throws(DataError) -> (ImageFolderCache.Entry, skipped: [SkippedFile])
    {
        guard channels == 1 || channels == 3 else {
            throw DataError(.invalidSelection, path: root, "channels: \(channels), expected 1 (gray) or 3 (RGB)")
        }
        guard height > 0, width > 0 else {
            throw DataError(.invalidSelection, path: root, "input size \(height)x\(width) must be positive")
        }
        let listing = try ImageFolderListing.scan(root: root, containedIn: containedIn, limits: limits)
        var skipped = listing.rejected
        if !skipBad, let first = skipped.first { throw first.error }

        let shape: String, key: [UInt8]
        let files = listing.images.map { ($0.path, $0.stat) }
        switch fit {
        case .crop(let fraction):
            shape = "\(channels)x\(height)x\(width)@\(fraction)"
            key = ImageFolderCache.key(files: files, channels: channels, height: height, width: width, cropFraction: fraction)
        case .frame:
            let frame = PhotoFrames.frameSize(height: height, width: width)
            shape = "\(channels)x\(frame.height)x\(frame.width) frames"
            key = ImageFolderCache.key(files: files, channels: channels, height: frame.height, width: frame.width, frames: true)
        }
        let cachePath = cacheDirectory.map { "\($0)/\(ImageFolderCache.fileName(key: key))" }
        var entry: ImageFolderCache.Entry
        if let hit = memory?.entry(folder: root, shape: shape, key: key) {
            entry = hit
        } else if let cachePath, let cached = readCache(cachePath, key: key, onRejected: onCacheRejected),
                  (cached.photoSizes != nil) == (fit == .frame) {
            entry = cached
        } else {
            // No cache, or one that failed its check: decoded from the images and written anew
            // (temp file, fsync, rename), so a damaged file is replaced, never served.
            entry = decodeAll(listing, channels: channels, height: height, width: width, fit: fit, limits: limits)
            if let cacheDirectory, let cachePath {
                try ensureDirectory(cacheDirectory)
                try FileBytes.writeAtomically(ImageFolderCache.encode(entry, key: key), to: cachePath)
            }
        }
        if let refusal = entry.skipped.first(where: { $0.error.isRefusal }) { throw refusal.error }
        memory?.store(entry, folder: root, shape: shape, key: key)
        if !skipBad, let first = entry.skipped.first { throw first.error }
        skipped += entry.skipped
        let counts = entry.images.classCounts
        if let empty = counts.firstIndex(of: 0) {
            let name = listing.classNames[empty]
            let why = skipped.contains { $0.path.hasPrefix("\(root)/\(name)/") } ? " usable (its bad files were skipped)" : ""
            throw DataError(.emptyClass, path: "\(root)/\(name)", "class folder '\(name)' has no\(why) images")
        }
        return (entry, skipped.sorted { $0.path < $1.path })
    }

    /// `root/train` and `root/test` when the folder is split that way, else `root` with no test split.
    public static func splitRoots(root: String) -> (train: String, test: String?) {
        let isDirectory = { (p: String) in (try? FileBytes.info(p))?.isDirectory == true }
        guard isDirectory("\(root)/train") else { return (root, nil) }
        return ("\(root)/train", isDirectory("\(root)/test") ? "\(root)/test" : nil)
    }

    /// Decodes every listed image in parallel; failures become `SkippedFile`s.
    static func decodeAll(_ listing: ImageFolderListing, channels: Int, height: Int, width: Int, fit: Fit = .crop(1),
                          limits: ImageFileLimits = .default) -> ImageFolderCache.Entry {
        let files = listing.images
        let frame = PhotoFrames.frameSize(height: height, width: width)
        let results: [Result<([UInt8], PhotoSize?), DataError>] = parallelMap(count: files.count) { i in
            Result { () throws(DataError) in
                switch fit {
                case .crop(let fraction):
                    (try ImageDecoder.loadForModel(path: files[i].path, channels: channels, height: height, width: width,
                                                   cropFraction: fraction, limits: limits), nil)
                case .frame:
                    try ImageDecoder.loadFrame(path: files[i].path, channels: channels, frame: frame, limits: limits)
                }
            }
        }
        let stored = fit == .frame ? frame : PhotoSize(height: height, width: width)
        var pixels = [UInt8]()
        pixels.reserveCapacity(files.count * channels * stored.height * stored.width)
        var labels = [Int](), skipped = [SkippedFile](), sizes = [PhotoSize]()
        for (file, result) in zip(files, results) {
            switch result {
            case let .success((image, size)):
                pixels += image
                labels.append(file.label)
                if let size { sizes.append(size) }
            case let .failure(error):
                skipped.append(SkippedFile(error, path: file.path))
            }
        }
        let images = LabeledImages(count: labels.count, channels: channels, height: stored.height, width: stored.width,
                                   pixels: pixels, labels: labels, classNames: listing.classNames)
        return ImageFolderCache.Entry(images: images, skipped: skipped, photoSizes: fit == .frame ? sizes : nil)
    }

    /// The cache file's entry if it is intact (`ImageFolderCache.verify`: its recorded SHA-256, key and
    /// layout); nil for no file, and nil with `onRejected` called for a file that fails the check (a
    /// torn or bit-flipped copy on a shared mount, a stale format): a miss, rebuilt by the caller.
    static func readCache(_ path: String, key: [UInt8],
                          onRejected: (@Sendable (String, String) -> Void)?) -> ImageFolderCache.Entry? {
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path) } catch {
            if error.kind != .missingPath { onRejected?(path, "unreadable: \(error.message)") }
            return nil
        }
        switch ImageFolderCache.verify(bytes, key: key) {
        case .success(let entry): return entry
        case .failure(let rejection):
            onRejected?(path, rejection.description)
            return nil
        }
    }

    /// Removes temp files of cache writes cut short (the writer was killed) from `cacheDirectory`;
    /// returns their names. Writes of running processes are left alone. `sharedUntouchedFor`: other
    /// machines write into the directory too (a cluster's artifacts mount), so a writer cannot be
    /// told alive by its pid; only temp files untouched for that many seconds are removed there.
    @discardableResult
    public static func sweepCacheTemporaries(cacheDirectory: String, sharedUntouchedFor age: TimeInterval? = nil) -> [String] {
        guard let age else { return FileBytes.sweepOrphanedTemporaries(in: cacheDirectory) }
        let cutoff = Int64((Date().timeIntervalSince1970 - age) * 1e9)
        return FileBytes.sweepOrphanedTemporaries(in: cacheDirectory, olderThanNanoseconds: cutoff)
    }

    private static func ensureDirectory(_ path: String) throws(DataError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw DataError(.unreadable, path: path, "cannot create cache directory: \(error.localizedDescription)")
        }
    }
}
