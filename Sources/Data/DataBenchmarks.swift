import Foundation

/// Measurements of the data path for `thaw-bench` (figures in docs/benchmarks.md). Pure library
/// calls: the caller decides iterations and prints the results.
public enum DataBenchmarks {
    public struct BatchAssemblyResult: Sendable, Codable {
        public var batchSize: Int
        public var channels: Int
        public var height: Int
        public var width: Int
        public var augmented: Bool
        public var batches: Int
        /// Median wall time to assemble one batch on the calling thread (normalize + augment), seconds.
        public var medianSecondsPerBatch: Double
        public var imagesPerSecond: Double
        /// With the background `BatchLoader` and a consumer that spends `simulatedStepSeconds` per
        /// batch: mean time `next()` blocked, per batch after the first (which has no head start).
        public var simulatedStepSeconds: Double
        public var loaderWaitSecondsPerBatch: Double
    }

    /// Batch assembly for `images` (default: Fashion-MNIST's training split when installed, else
    /// 10,000 random 1x28x28 images), normalization as the bench protocol, optional augmentation.
    /// `frames`: the whole photos random-resized-crop boxes are cut from, as a photo job's loader has them.
    public static func batchAssembly(images given: LabeledImages? = nil, frames: PhotoFrames? = nil, batchSize: Int = 64,
                                     batches: Int = 300, augmentation: Augmentation? = .standard,
                                     simulatedStepSeconds: Double = 0.02) throws(DataError) -> BatchAssemblyResult {
        let images: LabeledImages
        if let given { images = given } else { images = try defaultImages() }
        let normalization = images.channels == 1 ? Normalization.fashionMNIST : Normalization.computed(from: images)
        let assembler = try BatchAssembler(images: images, frames: frames, normalization: normalization, fill: augmentation?.fill ?? 0)
        let order = BatchLoader.epochOrder(count: images.count, seed: 1, epoch: 0)
        let perEpoch = max(1, images.count / batchSize)
        var times = [Double]()
        var checksum: Float = 0
        for b in 0..<batches {
            let start = ((b % perEpoch) * batchSize)
            let slice = order[start..<min(start + batchSize, order.count)]
            let t0 = ContinuousClock.now
            let batch: Batch
            if let augmentation, !augmentation.isIdentity {
                batch = assembler.assemble(indices: slice) {
                    let photo = assembler.cropSpace(of: slice[slice.startIndex + $0])
                    return augmentation.transform(seed: 1, epoch: 0, position: start + $0, height: photo.height, width: photo.width)
                }
            } else {
                batch = assembler.assemble(indices: slice)
            }
            times.append(seconds(t0.duration(to: .now)))
            checksum += batch.images[0]
        }
        precondition(checksum.isFinite)
        times.sort()
        let median = times[times.count / 2]

        // Background loader against a consumer that "trains" for simulatedStepSeconds per batch.
        let loaderBatches = min(batches, perEpoch, 50)
        let loader = try BatchLoader(images: images, frames: frames, normalization: normalization,
                                     configuration: .init(batchSize: batchSize, seed: 1, augmentation: augmentation))
        _ = loader.next()
        let firstWait = loader.consumerWaitSeconds
        for _ in 1..<max(loaderBatches, 2) {
            Thread.sleep(forTimeInterval: simulatedStepSeconds)
            guard loader.next() != nil else { break }
        }
        loader.cancel()
        let wait = (loader.consumerWaitSeconds - firstWait) / Double(max(loaderBatches - 1, 1))
        return BatchAssemblyResult(batchSize: batchSize, channels: images.channels, height: images.height, width: images.width,
                                   augmented: !(augmentation?.isIdentity ?? true), batches: batches,
                                   medianSecondsPerBatch: median, imagesPerSecond: Double(batchSize) / median,
                                   simulatedStepSeconds: simulatedStepSeconds, loaderWaitSecondsPerBatch: wait)
    }

    public struct FolderDecodeResult: Sendable, Codable {
        public var images: Int
        public var sourceSize: String
        public var outputSize: String
        /// Folder bytes on disk (PNG files).
        public var folderBytes: Int
        /// Listing, decoding, resizing and writing the cache, seconds.
        public var decodeSeconds: Double
        public var decodeImagesPerSecond: Double
        /// A second load of the same folder, served from the cache, seconds.
        public var cachedLoadSeconds: Double
        public var cacheBytes: Int
    }

    /// Writes `imageCount` PNGs (Fashion-MNIST training images upscaled to `sourceSize` when
    /// installed, else gradients) into a temporary ImageFolder of 10 classes with libpng, then times
    /// `ImageFolder.load` into an empty cache and again from the cache. Cleans up after itself.
    public static func folderDecode(imageCount: Int = 1000, sourceSize: Int = 28, sourceChannels: Int = 1,
                                    channels: Int = 1, outputSize: Int = 28) throws(DataError) -> FolderDecodeResult {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-databench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let root = base + "/folder", cache = base + "/cache"
        let source = try? FashionMNIST.load(split: .train)
        var folderBytes = 0
        for i in 0..<imageCount {
            let label = source?.labels[i] ?? i % 10
            var image: DecodedImage
            if let source {
                image = DecodedImage(width: 28, height: 28, channels: 1, pixels: Array(source.pixels[(i * 784)..<((i + 1) * 784)]))
            } else {
                image = DecodedImage(width: 28, height: 28, channels: 1, pixels: (0..<784).map { UInt8(($0 * 7 + i) % 256) })
            }
            image = ImageResizer.resize(image, height: sourceSize, width: sourceSize).converted(toChannels: sourceChannels)
            let png = try ImageEncoder.png(image.pixels, width: sourceSize, height: sourceSize, channels: sourceChannels)
            let dir = "\(root)/class\(label)"
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try FileBytes.writeAtomically(png, to: "\(dir)/\(String(format: "%05d", i)).png")
            folderBytes += png.count
        }
        let t0 = ContinuousClock.now
        let (decoded, _) = try ImageFolder.load(root: root, channels: channels, height: outputSize, width: outputSize, cacheDirectory: cache)
        let decodeSeconds = seconds(t0.duration(to: .now))
        let t1 = ContinuousClock.now
        let (cached, _) = try ImageFolder.load(root: root, channels: channels, height: outputSize, width: outputSize, cacheDirectory: cache)
        let cachedSeconds = seconds(t1.duration(to: .now))
        precondition(cached == decoded, "cache round trip changed the images")
        let cacheBytes = ((try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? [])
            .compactMap { try? FileBytes.info("\(cache)/\($0)").size }.reduce(0, +)
        return FolderDecodeResult(images: decoded.count, sourceSize: "\(sourceChannels)x\(sourceSize)x\(sourceSize)",
                                  outputSize: "\(channels)x\(outputSize)x\(outputSize)", folderBytes: folderBytes,
                                  decodeSeconds: decodeSeconds, decodeImagesPerSecond: Double(decoded.count) / decodeSeconds,
                                  cachedLoadSeconds: cachedSeconds, cacheBytes: cacheBytes)
    }

    /// `count` RGB "photos" of `size`x`size`: Fashion-MNIST training images (when installed, else
    /// gradients) upscaled with the bilinear resizer and tinted by class, 10 classes.
    public static func photos(count: Int, size: Int) -> LabeledImages {
        let source = try? FashionMNIST.load(split: .train)
        var pixels = [UInt8]()
        pixels.reserveCapacity(count * 3 * size * size)
        var labels = [Int]()
        for i in 0..<count {
            let label = source?.labels[i] ?? i % 10
            let gray = source.map { Array($0.pixels[(i * 784)..<((i + 1) * 784)]) } ?? (0..<784).map { UInt8(($0 * 7 + i) % 256) }
            let up = ImageResizer.resize(DecodedImage(width: 28, height: 28, channels: 1, pixels: gray), height: size, width: size)
            let tint = [(label * 37) % 256, (label * 91) % 256, (label * 53) % 256]
            for c in 0..<3 { pixels += up.pixels.map { UInt8((Int($0) * (128 + tint[c] / 2)) >> 8) } }
            labels.append(label)
        }
        return LabeledImages(count: count, channels: 3, height: size, width: size, pixels: pixels, labels: labels,
                             classNames: (0..<10).map { "class\($0)" })
    }

    /// The whole photos behind `photos(count:size:)` as a photo folder's frames (`PhotoFrames`): the
    /// same tinted images drawn at the frame size, each standing for a 500x375 photo (ImageNet's
    /// most common size), the space the crop boxes are drawn in.
    public static func photoFrames(count: Int, size: Int) -> PhotoFrames {
        let frame = PhotoFrames.frameSize(height: size, width: size)
        let drawn = photos(count: count, size: frame.height)
        return PhotoFrames(count: count, channels: 3, height: frame.height, width: frame.width, pixels: drawn.pixels,
                           photoSizes: Array(repeating: PhotoSize(height: 375, width: 500), count: count))
    }

    private static func defaultImages() throws(DataError) -> LabeledImages {
        if FashionMNIST.isInstalled() { return try FashionMNIST.load(split: .train) }
        var rng = SeededRandom(seed: 1)
        let n = 10_000
        return LabeledImages(count: n, channels: 1, height: 28, width: 28,
                             pixels: (0..<(n * 784)).map { _ in UInt8(truncatingIfNeeded: rng.next()) },
                             labels: (0..<n).map { $0 % 10 }, classNames: FashionMNIST.classNames)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
