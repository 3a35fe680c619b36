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

    /// `"cache": false` on a head-only phase without augmentation (where the automatic default
    /// caches): every epoch runs the body on images, and trains to the same figures.
    @Test func cacheFalseNeverTrainsFromTheCache() throws {
        let json = """
        {"name": "nocache", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"},
         "batch_size": 8, "seed": 2, "phases": [{"name": "head", "trainable": ["head"], "epochs": 2, "lr": 0.01CACHE}]}
        """
        let refused = RecordingObserver(), automatic = RecordingObserver()
        let a = try #require(runJob(jobSpec(json.replacingOccurrences(of: "CACHE", with: ", \"cache\": false")),
                                    model: smallCNN(classes: 3), data: Self.data, observer: refused).report)
        let b = try #require(runJob(jobSpec(json.replacingOccurrences(of: "CACHE", with: "")),
                                    model: smallCNN(classes: 3), data: Self.data, observer: automatic).report)
        #expect(refused.payloads("epoch").map { $0["from_cache"] } == [.bool(false), .bool(false)])
        #expect(refused.payloads("epoch").allSatisfy { $0["cache_seconds"] == .number(0) })
        #expect(automatic.payloads("epoch").map { $0["from_cache"] } == [.bool(true), .bool(true)])
        for (x, y) in zip(a.history, b.history) {
            #expect(abs(x.trainLoss - y.trainLoss) <= 1e-5)
        }
    }

    /// Which epochs use the cache; how much faster they are is `thaw-bench cache`'s business.
    @Test func headOnlyEpochsRunFromTheCacheAndUnfrozenOnesDoNot() throws {
        let spec = jobSpec("""
        {"name": "speed", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"},
         "optimizer": {"type": "sgd"}, "batch_size": 8,
         "phases": [{"name": "head", "trainable": ["head"], "epochs": 2, "lr": 0.05},
                    {"name": "all", "trainable": "all", "epochs": 1, "lr": 0.01}]}
        """)
        let observer = RecordingObserver()
        _ = runJob(spec, model: smallCNN(classes: 3), data: Self.data, observer: observer)
        let epochs = observer.payloads("epoch")
        #expect(epochs.map { $0["from_cache"] } == [.bool(true), .bool(true), .bool(false)])
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

    /// fastai's policy on a ResNet: BatchNorm inside the frozen residual blocks trains (affine
    /// parameters and running statistics), their convolutions stay exactly as they were.
    @Test func trainBNReachesBatchNormInsideResidualBlocks() throws {
        let spec = jobSpec("""
        {"name": "bn-res", "model": {"architecture": "resnet-mini"}, "dataset": {"id": "fashion-mnist"},
         "optimizer": {"type": "sgd"}, "batch_size": 8, "train_bn": true,
         "phases": [{"name": "head", "trainable": ["head"], "epochs": 1, "lr": 0.05}]}
        """)
        let model = try Model(architecture: "resnet-mini", classes: 3, seed: 1)
        let before = model.stateDict()
        let outcome = runJob(spec, model: model, data: Self.data, observer: RecordingObserver())
        #expect(outcome.report != nil, "\(outcome)")
        let after = model.stateDict()
        for key in ["bn1.weight", "layer1.0.bn1.weight", "layer1.1.bn2.bias", "layer2.0.downsample.1.weight",
                    "layer3.1.bn2.running_mean", "fc.weight"] {
            #expect(after[key]?.tensor != before[key]?.tensor, "\(key) should have trained")
        }
        for key in ["conv1.weight", "layer1.0.conv1.weight", "layer2.0.downsample.0.weight", "layer3.1.conv2.weight"] {
            #expect(after[key]?.tensor == before[key]?.tensor, "\(key) is frozen")
        }
    }
}
