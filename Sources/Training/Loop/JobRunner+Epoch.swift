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

extension JobRunner {
    /// One training epoch over the shuffled training split (from the activation cache while it holds),
    /// then the epoch end (`finishEpoch`).
    func runEpoch(_ phase: PhaseSpec) throws -> EpochEnd {
        let cacheSeconds = try refreshCache(phase)
        let started = ContinuousClock.now
        let headTrained = state.groups.groups.last?.trainable ?? false
        let n = data.train.count, bs = spec.batchSize
        let order = BatchLoader.epochOrder(count: n, seed: state.seed, epoch: state.globalEpoch)
        model.reseedDropout(state.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(max(0, state.globalEpoch)))
        var loader: BatchLoader?
        var lossSum = 0.0, images = 0
        var fromCache = cache != nil
        for b in 0..<stepsPerEpoch {
            switch try boundary() {
            case .completed: break
            case let other: return other
            }
            let lo = b * bs, hi = min(lo + bs, n)
            let loss: Double
            if let cache {
                let indices = order[lo..<hi]
                loss = try step(cache.batch(cache.train, indices), labels: indices.map { data.train.labels[$0] }, from: cache.group)
            } else {
                fromCache = false
                if loader == nil {
                    loader = try BatchLoader(images: data.train, normalization: normalization, configuration: .init(
                        batchSize: bs, shuffle: true, seed: state.seed, epoch: state.globalEpoch, dropLast: dropLast,
                        augmentation: augmentation(phase), startBatch: b))
                }
                guard let batch = loader!.next() else { break }
                let x = Tensor(shape: [batch.count, batch.channels, batch.height, batch.width], storage: batch.images)
                loss = try step(x, labels: batch.labels.map(Int.init), from: nil)
            }
            lossSum += loss * Double(hi - lo)
            images += hi - lo
        }
        loader?.cancel()
        var timing = EpochTiming(trainSeconds: seconds(since: started), cacheSeconds: cacheSeconds, images: images, fromCache: fromCache)
        timing.loaderWaitSeconds = loader?.consumerWaitSeconds ?? 0
        try finishEpoch(phase, trainLoss: images > 0 ? lossSum / Double(images) : .nan, headTrained: headTrained, timing: timing)
        return .completed
    }

    /// One optimizer step on a batch (images, or cached activations entering `group`).
    func step(_ x: Tensor, labels: [Int], from group: String?) throws -> Double {
        applySchedule()
        let logits = if let group { try model.forward(from: group, x, training: true) } else { try model.forward(x, training: true) }
        let (loss, dLogits) = try SoftmaxCrossEntropy.compute(logits: logits, labels: labels)
        if model.lowestTrainableLayer != nil {
            try model.backward(dLogits)
            optimizer?.step()
        }
        state.phaseStep += 1
        state.globalStep += 1
        return Double(loss)
    }

    /// Sets every optimizer group's LR (peak × schedule factor × plateau multiplier) and momentum for
    /// the step about to run.
    func applySchedule() {
        guard state.phaseStarted, state.phaseIndex < spec.phases.count, let optimizer else { return }
        let phase = spec.phases[state.phaseIndex]
        let position = SchedulePosition(step: state.phaseStep, stepsPerEpoch: stepsPerEpoch, epochs: phase.epochs)
        var minLR = 0.0
        if case .reduceOnPlateau(let s) = phase.schedule { minLR = s.minLR }
        let lrs = phase.schedule.learningRates(peaks: state.groups.peakLRs, at: position,
                                               plateauMultiplier: state.plateau?.multiplier ?? 1, minLR: minLR)
        let momentum = phase.schedule.value(at: position).momentum ?? OptimizerFactory.baseMomentum(spec.optimizer)
        for (group, lr) in zip(optimizer.groups, lrs) {
            group.learningRate = Float(lr)
            group.beta1 = Float(momentum)
        }
        lastLRs = lrs
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
