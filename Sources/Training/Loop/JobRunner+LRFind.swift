import Data
import JobAPI
import NN
import Tensor

extension JobRunner {
    /// An `lr_find` job: one batch per LR of the exponential sweep (epochs of the shuffled training
    /// split as needed) until the finder completes or diverges, then the starting weights (BatchNorm
    /// statistics included) are restored. Emits `lr_find` with the curve and suggestions.
    func runLRFind() throws -> JobRunOutcome {
        let findSpec = spec.lrFind ?? LRFindSpec()
        var finder = LRFinder(spec: findSpec)
        let start = model.stateDict()
        let selected = findSpec.trainable.resolve(in: model.groups)
        for i in state.groups.groups.indices { state.groups.groups[i].trainable = selected.contains(state.groups.groups[i].name) }
        try syncTrainability()
        let optimizer = try OptimizerFactory.make(spec.optimizer, model: model)
        let momentum = Float(OptimizerFactory.baseMomentum(spec.optimizer))
        emitStatus(.started)
        var decision = LRFinder.Decision.continue
        var epoch = 0
        sweep: while decision == .continue {
            let loader = try BatchLoader(images: data.train, normalization: normalization, configuration: .init(
                batchSize: spec.batchSize, shuffle: true, seed: state.seed, epoch: epoch, dropLast: epochs.dropLast))
            while let batch = loader.next() {
                switch try boundary() {
                case .completed: break
                case .stop: break sweep
                case .cancel:
                    try restore(start)
                    emitStatus(.cancelled)
                    return .cancelled
                case .interrupt:
                    try restore(start)
                    emitStatus(.interrupted)
                    return .interrupted
                }
                let lr = Float(finder.nextLR)
                for group in optimizer.groups {
                    group.learningRate = lr
                    group.beta1 = momentum
                }
                lastLRs = Array(repeating: Double(lr), count: model.groups.count)
                let x = Tensor(shape: [batch.count, batch.channels, batch.height, batch.width], storage: batch.images)
                let logits = try model.forward(x, training: true)
                let (loss, d) = try SoftmaxCrossEntropy.compute(logits: logits, labels: batch.labels.map(Int.init))
                try model.backward(d)
                optimizer.step()
                decision = finder.record(loss: Double(loss))
                if decision != .continue { break sweep }
            }
            epoch += 1
        }
        try restore(start)
        let result = LRFindResult(lrs: finder.lrs, losses: finder.losses, endedBy: decision.rawValue, suggestions: finder.suggestions)
        emitLRFind(result)
        let report = FinalReport(epochs: 0, stopReason: nil, bestMetric: state.best.monitor.rawValue, bestValue: nil, bestEpoch: nil,
                                 restoredBest: false, history: [], test: nil, testTTA: nil, weights: weightsFile(), lrFind: result)
        emitStatus(.succeeded)
        return .succeeded(report)
    }
}
