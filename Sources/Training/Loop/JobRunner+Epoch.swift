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

/// The epoch loop: batches from the shuffled training split (or the activation cache while it
/// holds), one optimizer step each under the schedule, then the epoch end as the ordered callbacks.
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

    /// After an epoch's last batch: validation, the epoch's record, then every callback in order
    /// (`EpochCallbacks.standard`), the last of which writes the epoch checkpoint, so it holds the
    /// position the next epoch starts at.
    func finishEpoch(_ phase: PhaseSpec, trainLoss: Double, headTrained: Bool, timing: EpochTiming) throws {
        let evalStarted = ContinuousClock.now
        let validation = data.validation.count > 0 ? try evaluator.evaluate(data.validation, cached: cache) : nil
        let evalSeconds = seconds(since: evalStarted)
        let metrics = state.recordEpoch(trainLoss: trainLoss, validation: validation, headTrained: headTrained)
        let position = CheckpointPosition(phaseIndex: state.phaseIndex, phaseName: phase.name, epoch: state.phaseEpoch,
                                          globalEpoch: state.globalEpoch, metrics: metrics)
        var context = EpochEndContext(phase: phase, metrics: metrics, validation: validation, timing: timing,
                                      evalSeconds: evalSeconds, position: position)
        for callback in callbacks { try callback.afterEpoch(&context, run: self) }
    }

    /// Where the trainable set may be cut and its prefix cached: the first group with a trainable
    /// layer, when it is not the first group, every earlier layer is frozen, BatchNorm policy is the
    /// default and the images are not augmented. Nil otherwise.
    func cachePoint(augmented: Bool) -> String? {
        guard !spec.trainBN, !augmented, let lowest = model.lowestTrainableLayer else { return nil }
        let group = model.layerGroups[lowest]
        guard let start = try? model.firstLayer(of: group), start > 0 else { return nil }
        for i in 0..<start where (try? model.isTrainable(layer: model.layers[i].name)) != false { return nil }
        return group
    }

    /// Builds the activation cache at an epoch start when the phase allows it and it fits the budget.
    func refreshCache(_ phase: PhaseSpec) throws -> Double {
        guard let group = cachePoint(augmented: phase.augment != nil) else {
            cache = nil
            return 0
        }
        if cache?.group == group { return 0 }
        let images = data.train.count + data.validation.count
        guard ActivationCache.bytes(model: model, group: group, images: images) <= cacheLimitBytes else {
            cache = nil
            return 0
        }
        let started = ContinuousClock.now
        cache = try ActivationCache.build(model: model, group: group, train: data.train, validation: data.validation,
                                          normalization: normalization, batchSize: evaluationBatchSize,
                                          checkInterrupt: checkInterrupt)
        return seconds(since: started)
    }

    /// Data's augmentation for a phase's `augment` (the spec only accepts rotate 0).
    func augmentation(_ phase: PhaseSpec) -> Augmentation? {
        phase.augment.map { spec in
            Augmentation(horizontalFlip: spec.hflip, translate: spec.shift,
                         randomResizedCrop: spec.randomResizedCrop.map { RandomResizedCrop(scale: $0.scale, ratio: $0.ratio) },
                         colorJitter: spec.colorJitter.map {
                             ColorJitter(brightness: $0.brightness, contrast: $0.contrast, saturation: $0.saturation)
                         })
        }
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

/// Which epoch a checkpoint belongs to (captured before a phase end moves the position on).
struct CheckpointPosition {
    var phaseIndex: Int
    var phaseName: String
    /// 1-based within the phase / over the job.
    var epoch: Int
    var globalEpoch: Int
    var metrics: EpochMetrics
}

extension EpochMetrics {
    /// The measured values under their `epoch` event names (a checkpoint's and a `best` event's metrics).
    var dictionary: [String: Double] {
        typealias Key = EpochEvent.CodingKeys
        var d = [Key.trainLoss.stringValue: trainLoss]
        if let valLoss { d[Key.valLoss.stringValue] = valLoss }
        if let valAccuracy { d[Key.valAccuracy.stringValue] = valAccuracy }
        return d
    }
}

/// What the epoch-end callbacks do to the run.
extension JobRunner: EpochCallbackHost {
    func snapshotBest(_ scope: EarlyStopping.Scope) {
        switch scope {
        case .job: best.job = model.stateDict()
        case .phase: best.phase = model.stateDict()
        }
    }

    /// Hands a checkpoint of the current weights (and, for `.epoch`, the resume state) to the observer.
    func saveCheckpoint(_ kind: CheckpointPayload.Kind, at position: CheckpointPosition) throws {
        let state = kind == .epoch
            ? ResumeState.encodeState(run: self.state, optimizer: optimizer?.stateDict() ?? StateDict(), jobBest: best.job, phaseBest: best.phase)
            : nil
        let payload = CheckpointPayload(kind: kind, phaseIndex: position.phaseIndex, phaseName: position.phaseName,
                                        epoch: position.epoch, globalEpoch: position.globalEpoch,
                                        metrics: position.metrics.dictionary, weights: weightsFile(), state: state)
        do {
            try observer.saveCheckpoint(payload)
        } catch {
            throw RunFailure(.checkpointFailed, "saving the \(kind.rawValue) checkpoint of epoch \(position.globalEpoch) failed: \(error)")
        }
        emitCheckpoint(payload)
    }

    func reportEpoch(_ context: EpochEndContext) {
        emitEpoch(context.phase, metrics: context.metrics, validation: context.validation, timing: context.timing,
                  evalSeconds: context.evalSeconds, isBest: context.isBest, lrReduced: context.lrReduced)
    }

    func reportAdvice(_ advice: Advice) { emitAdvice(advice) }

    func autoUnfreeze(to groups: GroupState, unfrozen: [String]) throws {
        state.groups = groups
        try syncTrainability()
        emitGroupChange(action: .autoUnfreeze, groups: unfrozen)
    }
}
