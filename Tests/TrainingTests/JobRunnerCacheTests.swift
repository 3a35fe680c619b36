import Data
import Foundation
import NN
import Testing
@testable import Training

/// The activation cache: the fast path must equal training on images, and be much faster.
@Suite struct JobRunnerCacheTests {
    static let data = FashionSubsets.select(classes: [2, 3, 9], perClass: 10, testPerClass: 5)

    @Test func headPhaseFromTheCacheEqualsTrainingOnImages() throws {
        let spec = jobSpec("""
        {"name": "cache", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"},
         "batch_size": 8, "seed": 2, "phases": [{"name": "head", "trainable": ["head"], "epochs": 2, "lr": 0.01}]}
        """)
        let cached = RecordingObserver(), plain = RecordingObserver()
        let a = try #require(runJob(spec, model: smallCNN(classes: 3), data: Self.data, observer: cached).report)
        let b = try #require(runJob(spec, model: smallCNN(classes: 3), data: Self.data, observer: plain, cacheLimitBytes: 0).report)
        #expect(cached.payloads("epoch").allSatisfy { $0["from_cache"] == .bool(true) })
        #expect(plain.payloads("epoch").allSatisfy { $0["from_cache"] == .bool(false) })
        for (x, y) in zip(a.history, b.history) {
            #expect(abs(x.trainLoss - y.trainLoss) <= 1e-5)
            #expect(abs((x.valLoss ?? 0) - (y.valLoss ?? 0)) <= 1e-5)
        }
    }

    @Test func headOnlyEpochsFromTheCacheAreMuchFasterThanUnfrozenEpochs() throws {
        let spec = jobSpec("""
        {"name": "speed", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"},
         "optimizer": {"type": "sgd"}, "batch_size": 8,
         "phases": [{"name": "head", "trainable": ["head"], "epochs": 2, "lr": 0.05},
                    {"name": "all", "trainable": "all", "epochs": 1, "lr": 0.01}]}
        """)
        let observer = RecordingObserver()
        _ = runJob(spec, model: smallCNN(classes: 3), data: Self.data, observer: observer)
        let epochs = observer.payloads("epoch")
        let head = try #require(epochs[1]["train_seconds"]?.double), all = try #require(epochs[2]["train_seconds"]?.double)
        #expect(epochs[1]["from_cache"] == .bool(true) && epochs[2]["from_cache"] == .bool(false))
        #expect(head * 20 < all, "head epoch \(head) s vs unfrozen epoch \(all) s")
    }

    @Test func trainBNKeepsBatchNormTrainingSoNothingIsCached() throws {
        let spec = jobSpec("""
        {"name": "bn", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"},
         "optimizer": {"type": "sgd"}, "batch_size": 8, "train_bn": true,
         "phases": [{"name": "head", "trainable": ["head"], "epochs": 1, "lr": 0.05}]}
        """)
        let model = smallCNN(classes: 3)
        let before = try #require(model.stateDict()["features.1.running_mean"]?.tensor)
        let observer = RecordingObserver()
        _ = runJob(spec, model: model, data: Self.data, observer: observer)
        #expect(observer.payloads("epoch").first?["from_cache"] == .bool(false))
        #expect(model.stateDict()["features.1.running_mean"]?.tensor != before)
        #expect(try !model.isTrainable(layer: "features.0"))
    }
}
