import Data
import JobAPI
import NN
import Tensor
import Testing
@testable import Training

/// Records what the epoch loop asks of the run: boundaries and steps (their batch sizes and where
/// they enter the model), with a scripted boundary outcome and an action at a chosen boundary.
private final class RecordingDriver: EpochDriver {
    var boundaries = 0
    var steps: [(count: Int, from: Int?)] = []
    /// Boundary number (1-based) → what it returns instead of `.completed`.
    var endAt: [Int: EpochEnd] = [:]
    /// Run at the given boundary (1-based), before its outcome: a control command's effect.
    var onBoundary: (Int, () throws -> Void)?

    func boundary() throws -> EpochEnd {
        boundaries += 1
        if let (at, action) = onBoundary, at == boundaries { try action() }
        return endAt[boundaries] ?? .completed
    }
    func step(_ x: Tensor, labels: [Int], from layer: Int?) throws -> Double {
        #expect(x.shape[0] == labels.count)
        steps.append((labels.count, layer))
        return 1
    }
    func checkInterrupt() throws {}
}

private let data = FashionSubsets.select(classes: [0, 1, 2], perClass: 20, validationFraction: 0.25)
private let phase = PhaseSpec(name: "head", trainable: .groups(["head"]), epochs: 1)

/// small-cnn with only its head trainable (what a head phase's start leaves).
private func headOnlyModel() throws -> Model {
    let model = try Model(architecture: "small-cnn", classes: 3, seed: 1)
    let head = model.groups.last!
    for (i, layer) in model.layers.enumerated() { try model.setTrainable(layer: layer.name, model.layerGroups[i] == head) }
    return model
}

private func loop(_ model: Model, batchSize: Int) -> EpochLoop {
    EpochLoop(model: model, data: data, normalization: .fashionMNIST, batchSize: batchSize, trainBN: false,
              evaluationBatchSize: 256, cacheLimitBytes: 1 << 30)
}

@Suite struct EpochLoopTests {
    /// A boundary before every batch, every image once, from the cache of the frozen body.
    @Test func anEpochIsABoundaryAndAStepPerBatchFromTheCache() throws {
        let model = try headOnlyModel()
        let epochs = loop(model, batchSize: 16)
        let driver = RecordingDriver()
        guard case let .trained(trainLoss, timing) = try epochs.run(phase, seed: 1, globalEpoch: 0, driver: driver) else {
            Issue.record("the epoch did not train"); return
        }
        let n = data.train.count
        #expect(driver.boundaries == (n + 15) / 16)
        #expect(driver.steps.map(\.count).reduce(0, +) == n)
        #expect(driver.steps.allSatisfy { $0.from == epochs.cache?.layer && $0.from != nil })
        #expect(timing.fromCache && timing.images == n)
        #expect(trainLoss == 1)
    }

    /// `"cache": false` never caches, even where the cache would be exact: the body runs every batch.
    @Test func aPhaseThatRefusesTheCacheTrainsOnImages() throws {
        let epochs = loop(try headOnlyModel(), batchSize: 16)
        var refusing = phase
        refusing.cache = false
        let driver = RecordingDriver()
        guard case let .trained(_, timing) = try epochs.run(refusing, seed: 1, globalEpoch: 0, driver: driver) else {
            Issue.record("the epoch did not train"); return
        }
        #expect(epochs.cache == nil && !timing.fromCache && timing.cacheSeconds == 0)
        #expect(driver.steps.allSatisfy { $0.from == nil })
        #expect(driver.steps.map(\.count).reduce(0, +) == data.train.count)
    }

    /// The cut is the first trainable layer, not its group's first layer: with only `features.10`
    /// on of block2 (features.7–13) the cache holds what enters `features.10`.
    @Test func theCacheIsCutAtTheFirstTrainableLayer() throws {
        let model = try Model(architecture: "small-cnn", classes: 3, seed: 1)
        for layer in model.layers { try model.setTrainable(layer: layer.name, ["features.10", "features.11", "fc"].contains(layer.name)) }
        let epochs = loop(model, batchSize: 16)
        let driver = RecordingDriver()
        _ = try epochs.run(phase, seed: 1, globalEpoch: 0, driver: driver)
        let cut = model.layers.firstIndex { $0.name == "features.10" }!
        let cache = try #require(epochs.cache)
        #expect(cache.layer == cut && cache.shape == model.shapes[cut])
        #expect(cache.train.count == data.train.count * model.shapes[cut].reduce(1, *))
        #expect(driver.steps.allSatisfy { $0.from == cut })
    }

    /// A final batch of one image is dropped.
    @Test func aLastBatchOfOneImageIsDropped() throws {
        let n = data.train.count
        let epochs = loop(try headOnlyModel(), batchSize: n - 1)
        #expect(epochs.dropLast && epochs.stepsPerEpoch == 1)
        let driver = RecordingDriver()
        _ = try epochs.run(phase, seed: 1, globalEpoch: 0, driver: driver)
        #expect(driver.steps.map(\.count) == [n - 1])
    }

    /// A boundary that stops ends the epoch at once: no step after it, no epoch end.
    @Test func aStoppingBoundaryEndsTheEpochBeforeItsBatch() throws {
        let driver = RecordingDriver()
        driver.endAt = [2: .stop]
        let outcome = try loop(try headOnlyModel(), batchSize: 16).run(phase, seed: 1, globalEpoch: 0, driver: driver)
        guard case .ended(.stop) = outcome else { Issue.record("\(outcome)"); return }
        #expect(driver.boundaries == 2 && driver.steps.count == 1)
    }

    /// A command that moves the cut point mid-epoch drops the cache; the rest of the epoch trains on
    /// images, starting at the batch the epoch had reached.
    @Test func aCutMovedAtABoundaryDropsTheCacheForTheRestOfTheEpoch() throws {
        let model = try headOnlyModel()
        let epochs = loop(model, batchSize: 16)
        let driver = RecordingDriver()
        driver.onBoundary = (2, {
            for layer in model.layers { try model.setTrainable(layer: layer.name, true) }
            epochs.dropCacheIfCutMoved()
        })
        guard case let .trained(_, timing) = try epochs.run(phase, seed: 1, globalEpoch: 0, driver: driver) else {
            Issue.record("the epoch did not train"); return
        }
        #expect(epochs.cache == nil && !timing.fromCache)
        #expect(driver.steps.first?.from != nil)
        #expect(driver.steps.dropFirst().allSatisfy { $0.from == nil })
        #expect(driver.steps.map(\.count).reduce(0, +) == data.train.count)
    }
}
