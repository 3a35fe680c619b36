import Data
import JobAPI
import NN
import Tensor

/// How an epoch (or a batch boundary in it) ended.
enum EpochEnd {
    case completed
    case stop
    case cancel
    case interrupt
}

/// What one pass of the epoch loop came to: the epoch's training is done (its end, validation and
/// the callbacks, is the runner's), or a batch boundary ended it early.
enum EpochOutcome {
    case trained(trainLoss: Double, timing: EpochTiming)
    case ended(EpochEnd)
}

/// What the epoch loop asks of the run it trains: the batch boundary (control, pause, interruption),
/// one optimizer step, and the interruption check between boundaries. The runner implements it; the
/// loop reaches nothing else of the run.
protocol EpochDriver: AnyObject {
    /// A batch boundary; `.completed` means "go on with the batch".
    func boundary() throws -> EpochEnd
    /// One optimizer step on a batch (images, or cached activations entering layer `layer`); its loss.
    func step(_ x: Tensor, labels: [Int], from layer: Int?) throws -> Double
    /// Throws `RunInterrupted` once the daemon shuts down (between boundaries: building the cache).
    func checkInterrupt() throws
}

/// The epoch loop: batches from the shuffled training split (or the activation cache while it
/// holds), one `EpochDriver.step` each after a batch boundary. It owns the batch geometry of the run
/// and the activation cache (the body's activations for the current trainable set: nil when not
/// cacheable or invalidated); the position it trains at is passed in, the steps it takes are the
/// driver's.
///
/// A class because the cache is shared with the run's control: a command at a batch boundary that
/// moves the cut point drops the cache (`dropCacheIfCutMoved`), and the loop's next batch sees it.
final class EpochLoop {
    let model: Model
    let train: LabeledImages
    /// The whole photos behind `train`, where random-resized-crop draws its boxes (nil: `train` is whole).
    let trainFrames: PhotoFrames?
    let validation: LabeledImages
    let normalization: Normalization
    let batchSize: Int
    /// Batches per training epoch; a final batch of a single image is dropped (batch statistics of one
    /// image are degenerate).
    let stepsPerEpoch: Int
    let dropLast: Bool
    /// The batch size the cache is built with (inference keeps no activations, so it can be larger).
    let evaluationBatchSize: Int
    let cacheLimitBytes: Int
    /// `train_bn`: frozen BatchNorm layers still train, so no prefix is a fixed function.
    let trainBN: Bool
    private(set) var cache: ActivationCache?

    init(model: Model, data: SelectedData, normalization: Normalization, batchSize: Int, trainBN: Bool,
         evaluationBatchSize: Int, cacheLimitBytes: Int) {
        self.model = model
        train = data.train
        trainFrames = data.trainFrames
        validation = data.validation
        self.normalization = normalization
        self.batchSize = batchSize
        self.trainBN = trainBN
        self.evaluationBatchSize = evaluationBatchSize
        self.cacheLimitBytes = cacheLimitBytes
        let n = data.train.count
        dropLast = n % batchSize == 1 && n > 1
        stepsPerEpoch = max(1, dropLast ? n / batchSize : (n + batchSize - 1) / batchSize)
    }

    /// One training epoch of `phase` at job epoch `globalEpoch` (its shuffle and dropout seeds) over
    /// the shuffled training split, from the activation cache while it holds.
    func run(_ phase: PhaseSpec, seed: UInt64, globalEpoch: Int, driver: any EpochDriver) throws -> EpochOutcome {
        let cacheSeconds = try refreshCache(phase, checkInterrupt: driver.checkInterrupt)
        let started = ContinuousClock.now
        let n = train.count, bs = batchSize
        let order = BatchLoader.epochOrder(count: n, seed: seed, epoch: globalEpoch)
        model.reseedDropout(seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(max(0, globalEpoch)))
        var loader: BatchLoader?
        var lossSum = 0.0, images = 0
        var fromCache = cache != nil
        for b in 0..<stepsPerEpoch {
            switch try driver.boundary() {
            case .completed: break
            case let other: return .ended(other)
            }
            let lo = b * bs, hi = min(lo + bs, n)
            let loss: Double
            if let cache {
                let indices = order[lo..<hi]
                loss = try driver.step(cache.batch(cache.train, indices), labels: indices.map { train.labels[$0] }, from: cache.layer)
            } else {
                fromCache = false
                if loader == nil {
                    loader = try BatchLoader(images: train, frames: trainFrames, normalization: normalization, configuration: .init(
                        batchSize: bs, shuffle: true, seed: seed, epoch: globalEpoch, dropLast: dropLast,
                        augmentation: Self.augmentation(phase), startBatch: b))
                }
                guard let batch = loader!.next() else { break }
                let x = Tensor(shape: [batch.count, batch.channels, batch.height, batch.width], storage: batch.images)
                loss = try driver.step(x, labels: batch.labels.map(Int.init), from: nil)
            }
            lossSum += loss * Double(hi - lo)
            images += hi - lo
        }
        loader?.cancel()
        var timing = EpochTiming(trainSeconds: seconds(since: started), cacheSeconds: cacheSeconds, images: images, fromCache: fromCache)
        timing.loaderWaitSeconds = loader?.consumerWaitSeconds ?? 0
        return .trained(trainLoss: images > 0 ? lossSum / Double(images) : .nan, timing: timing)
    }

    // MARK: The activation cache

    /// Where the trainable set may be cut and its prefix cached: the model's `cacheCutLayer` (the
    /// first layer a training pass runs differently from inference, so the parameter-free layers
    /// below the lowest trainable one are inside the cache), when BatchNorm policy is the default,
    /// the images are not augmented and the phase does not refuse the cache (`"cache": false`).
    /// Nil otherwise.
    func cachePoint(augmented: Bool, refused: Bool = false) -> Int? {
        guard !trainBN, !augmented, !refused else { return nil }
        return model.cacheCutLayer
    }

    /// After the model's trainability changed: drops the cache if its cut point no longer holds.
    func dropCacheIfCutMoved() {
        if let cache, cache.layer != cachePoint(augmented: false) { self.cache = nil }
    }

    /// After the weights changed under the cache (a restore, a phase start).
    func dropCache() {
        cache = nil
    }

    /// Builds the activation cache at an epoch start when the phase allows it (`cache` absent or
    /// true) and it fits the budget; the seconds it took.
    func refreshCache(_ phase: PhaseSpec, checkInterrupt: () throws -> Void) throws -> Double {
        guard let layer = cachePoint(augmented: phase.augment != nil, refused: phase.cache == false) else {
            cache = nil
            return 0
        }
        if cache?.layer == layer { return 0 }
        let images = train.count + validation.count
        guard ActivationCache.bytes(model: model, layer: layer, images: images) <= cacheLimitBytes else {
            cache = nil
            return 0
        }
        let started = ContinuousClock.now
        cache = try ActivationCache.build(model: model, layer: layer, train: train, validation: validation,
                                          normalization: normalization, batchSize: evaluationBatchSize,
                                          checkInterrupt: checkInterrupt)
        return seconds(since: started)
    }

    /// Data's augmentation for a phase's `augment` (the spec only accepts rotate 0).
    static func augmentation(_ phase: PhaseSpec) -> Augmentation? {
        phase.augment.map { spec in
            Augmentation(horizontalFlip: spec.hflip, translate: spec.shift,
                         randomResizedCrop: spec.randomResizedCrop.map { RandomResizedCrop(scale: $0.scale, ratio: $0.ratio) },
                         colorJitter: spec.colorJitter.map {
                             ColorJitter(brightness: $0.brightness, contrast: $0.contrast, saturation: $0.saturation)
                         })
        }
    }
}

/// Timings of one epoch, for its event.
struct EpochTiming {
    var trainSeconds: Double
    var cacheSeconds: Double
    var images: Int
    /// Every batch came from the activation cache.
    var fromCache: Bool
    /// Time the loop spent blocked on the background batch loader (its first batch included).
    var loaderWaitSeconds: Double = 0
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = start.duration(to: .now)
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}
