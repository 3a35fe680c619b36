import Foundation

/// Assembles one epoch of batches on a background thread, at most `prefetch` batches ahead of the
/// consumer, so the training loop finds the next batch ready when it asks.
///
/// One loader covers one epoch. Its order is `epochOrder(count:seed:epoch:)` (or the identity
/// when not shuffling) and sample `p` of the epoch is augmented with
/// `augmentation.transform(seed:epoch:position: p)`, so batch `b` of epoch `e` is a pure function
/// of `(images, configuration, e, b)`: a resumed run starts a loader at `startBatch` and gets the
/// very batches the interrupted run would have seen.
///
/// Iterate with `next()` (blocks until the batch is ready; nil after the last batch or once
/// cancelled). `cancel()` or dropping the loader stops the thread after the batch in progress.
public final class BatchLoader: IteratorProtocol, Sequence, @unchecked Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Images per batch; the last batch is smaller unless `dropLast`.
        public var batchSize: Int
        /// Shuffle per epoch (training); false keeps source order (evaluation).
        public var shuffle: Bool
        /// Seeds both the epoch shuffle and the augmentation draws.
        public var seed: UInt64
        public var epoch: Int
        /// Drop a final partial batch (avoids a batch of 1 under batch norm).
        public var dropLast: Bool
        /// nil or `.none` for evaluation.
        public var augmentation: Augmentation?
        /// Batches assembled ahead of the consumer; bounds memory at `prefetch` batches. Default 2.
        public var prefetch: Int
        /// First batch to produce (resume mid-epoch); earlier batches are skipped, not assembled.
        public var startBatch: Int
        /// false assembles each batch inside `next()` on the caller's thread (a reference mode
        /// for tests and for callers that already run on a worker).
        public var background: Bool

        public init(batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0, epoch: Int = 0, dropLast: Bool = false,
                    augmentation: Augmentation? = nil, prefetch: Int = 2, startBatch: Int = 0, background: Bool = true) {
            self.batchSize = batchSize
            self.shuffle = shuffle
            self.seed = seed
            self.epoch = epoch
            self.dropLast = dropLast
            self.augmentation = augmentation
            self.prefetch = prefetch
            self.startBatch = startBatch
            self.background = background
        }
    }

    public let configuration: Configuration
    /// Indices into the images, in the order this epoch visits them.
    public let order: [Int]
    /// Batches in the full epoch (including any before `startBatch`).
    public let batchCount: Int

    private let assembler: BatchAssembler
    private let state: PrefetchState
    private var nextSynchronous: Int

    /// `images` must be non-empty only if batches are wanted; an empty set yields no batches.
    /// `frames`, the whole photos behind `images`, is where random-resized-crop boxes are drawn and
    /// resampled from (nil: in `images` themselves).
    public init(images: LabeledImages, frames: PhotoFrames? = nil, normalization: Normalization,
                configuration: Configuration) throws(DataError) {
        guard configuration.batchSize > 0 else {
            throw DataError(.invalidSelection, path: nil, "batch_size: \(configuration.batchSize) must be positive")
        }
        guard configuration.prefetch > 0 else {
            throw DataError(.invalidSelection, path: nil, "prefetch: \(configuration.prefetch) must be positive")
        }
        if let augmentation = configuration.augmentation {
            try augmentation.validate(height: images.height, width: images.width)
        }
        assembler = try BatchAssembler(images: images, frames: frames, normalization: normalization,
                                       fill: configuration.augmentation?.fill ?? 0)
        self.configuration = configuration
        order = configuration.shuffle
            ? Self.epochOrder(count: images.count, seed: configuration.seed, epoch: configuration.epoch)
            : Array(0..<images.count)
        let full = images.count / configuration.batchSize
        batchCount = configuration.dropLast || images.count % configuration.batchSize == 0 ? full : full + 1
        guard configuration.startBatch >= 0, configuration.startBatch <= batchCount else {
            throw DataError(.invalidSelection, path: nil, "start_batch: \(configuration.startBatch) is outside 0...\(batchCount)")
        }
        nextSynchronous = configuration.startBatch
        state = PrefetchState(capacity: configuration.prefetch)
        if configuration.background {
            let work = BatchWork(assembler: assembler, order: order, configuration: configuration, batchCount: batchCount)
            let state = state
            let thread = Thread { work.produce(into: state) }
            thread.name = "thaw-batch-loader"
            thread.start()
        }
    }

    deinit { state.cancel() }

    /// The visiting order of epoch `epoch` under `seed`: a Fisher–Yates shuffle of `0..<count`
    /// from a generator keyed by `(seed, epoch)`. Trainers call this to reproduce an epoch.
    public static func epochOrder(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var order = Array(0..<count)
        var rng = SeededRandom(keys: 0x5348_5546_464C_4521, seed, UInt64(truncatingIfNeeded: epoch))
        rng.shuffle(&order)
        return order
    }

    /// The next batch, waiting for the background thread if it is behind; nil after the last batch.
    public func next() -> Batch? {
        if configuration.background { return state.take() }
        guard nextSynchronous < batchCount, !state.isCancelled else { return nil }
        defer { nextSynchronous += 1 }
        return BatchWork(assembler: assembler, order: order, configuration: configuration, batchCount: batchCount)
            .batch(nextSynchronous)
    }

    /// Stops producing; `next()` returns nil from now on. Safe from any thread, idempotent.
    public func cancel() { state.cancel() }

    /// Seconds `next()` has spent waiting for a batch that was not ready yet (0 when prefetch keeps up).
    public var consumerWaitSeconds: Double { state.statistics.wait }
    /// Seconds the background thread has spent assembling batches.
    public var assemblySeconds: Double { state.statistics.assembly }

    /// Batches assembled and not yet taken (at most `prefetch`).
    public var queuedBatches: Int { state.queuedCount }

    var prefetchState: PrefetchState { state }
}

/// How to build batch `b`; shared by the background and synchronous paths.
struct BatchWork: Sendable {
    let assembler: BatchAssembler
    let order: [Int]
    let configuration: BatchLoader.Configuration
    let batchCount: Int

    func batch(_ b: Int) -> Batch {
        let size = configuration.batchSize
        let start = b * size, end = min(start + size, order.count)
        let augmentation = configuration.augmentation ?? .none
        let seed = configuration.seed, epoch = configuration.epoch
        if augmentation.isIdentity { return assembler.assemble(indices: order[start..<end], batchIndex: b) }
        return assembler.assemble(indices: order[start..<end], batchIndex: b) { j in
            // A crop box is drawn in the pixels of the photo it is cut from.
            let photo = assembler.cropSpace(of: order[start + j])
            return augmentation.transform(seed: seed, epoch: epoch, position: start + j, height: photo.height, width: photo.width)
        }
    }

    func produce(into state: PrefetchState) {
        for b in configuration.startBatch..<batchCount {
            guard state.waitForRoom() else { return }
            let started = ContinuousClock.now
            let batch = batch(b)
            let elapsed = started.duration(to: .now)
            guard state.put(batch, assembly: elapsed) else { return }
        }
        state.finish()
    }
}

/// The name the training issue uses for the same loader.
public typealias Batcher = BatchLoader
