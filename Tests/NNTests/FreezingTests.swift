import NN
import Tensor
import Testing

/// Freezing: no weight gradients for frozen layers, no back-propagation below the lowest
/// trainable layer, frozen BatchNorm in inference mode, effective on the next step.
@Suite struct FreezingTests {
    static func batch(_ n: Int = 4, seed: UInt64 = 1) -> (Tensor, [Int]) {
        var g = SeededGenerator(seed: seed)
        var x = Tensor.zeros([n, 1, 28, 28])
        for i in 0..<x.count { x.storage[i] = g.uniform(-1, 1) }
        return (x, (0..<n).map { $0 % 10 })
    }

    static func step(_ model: Model, _ x: Tensor, _ y: [Int]) throws {
        let logits = try model.forward(x, training: true)
        try model.backward(try SoftmaxCrossEntropy.compute(logits: logits, labels: y).dLogits)
    }

    @Test func frozenGroupsGetNoGradientsAndTrainableOnesDo() throws {
        let model = try Model(architecture: "resnet-mini")
        try model.freeze(below: "layer3")
        let (x, y) = Self.batch()
        try Self.step(model, x, y)
        for p in model.parameters {
            let trainable = p.group == "layer3" || p.group == "head"
            #expect((p.grad != nil) == trainable, "\(p.name) in \(p.group)")
            #expect(p.trainable == trainable)
        }
    }

    @Test func backwardStopsAtTheLowestTrainableLayer() throws {
        let model = try Model(architecture: "resnet-mini")
        let (x, y) = Self.batch()
        try model.freeze(below: "head")
        _ = try model.forward(x, training: true)
        #expect(model.recordedRange == (model.layers.count - 1)..<model.layers.count)
        try model.freeze(below: "layer2")
        _ = try model.forward(x, training: true)
        #expect(model.recordedRange?.lowerBound == (try model.firstLayer(of: "layer2")))
        // A frozen layer above a trainable one is still back-propagated through (no weight grads).
        try model.setTrainable(group: "layer3", false)
        try Self.step(model, x, y)
        #expect(try model.parameters(inGroup: "layer2").allSatisfy { $0.grad != nil })
        #expect(try model.parameters(inGroup: "layer3").allSatisfy { $0.grad == nil })
    }

    @Test func frozenBatchNormKeepsRunningStatisticsAndTrainableOnesUpdate() throws {
        let model = try Model(architecture: "small-cnn")
        try model.setTrainable(group: "block1", false)
        let before = model.stateDict()
        let (x, y) = Self.batch()
        try Self.step(model, x, y)
        let after = model.stateDict()
        for name in ["features.1.running_mean", "features.1.running_var", "features.1.num_batches_tracked"] {
            #expect(after[name] == before[name], "\(name) changed although block1 is frozen")
        }
        #expect(after["features.8.running_mean"] != before["features.8.running_mean"])
        #expect(after["features.8.num_batches_tracked"]!.tensor.storage == [1])
    }

    @Test func frozenBatchNormUsesRunningStatisticsInTheForwardPass() throws {
        let model = try Model(architecture: "small-cnn")
        let (x, _) = Self.batch()
        let eval = try model.forward(x, training: false)
        for g in model.groups { try model.setTrainable(group: g, false) }
        let frozenTraining = try model.forward(x, training: true)
        #expect(frozenTraining == eval)
        #expect(model.recordedRange == nil)
    }

    @Test func unfreezingTakesEffectOnTheNextStep() throws {
        let model = try Model(architecture: "small-cnn")
        try model.freeze(below: "head")
        let (x, y) = Self.batch()
        try Self.step(model, x, y)
        #expect(try model.parameters(inGroup: "block1").allSatisfy { $0.grad == nil })
        try model.setTrainable(group: "block1", true)
        try Self.step(model, x, y)
        #expect(try model.parameters(inGroup: "block1").allSatisfy { $0.grad != nil })
        try model.setTrainable(layer: "features.3", false)
        try Self.step(model, x, y)
        #expect(try model.isTrainable(layer: "features.3") == false)
        #expect(model.parameters.first { $0.name == "features.3.weight" }!.grad == nil)
        #expect(model.parameters.first { $0.name == "features.0.weight" }!.grad != nil)
    }

    @Test func headTrainingFromCachedActivationsMatchesTheFullForward() throws {
        let full = try Model(architecture: "resnet-mini", seed: 5)
        let cached = try Model(architecture: "resnet-mini", seed: 5)
        for m in [full, cached] { try m.freeze(below: "head") }
        let (x, y) = Self.batch(6)
        let features = try cached.forward(upTo: "head", x)
        #expect(features.shape == [6, 64])
        let a = try full.forward(x, training: true)
        let b = try cached.forward(from: "head", features, training: true)
        #expect(a.isClose(to: b, rtol: 1e-6, atol: 1e-6))
        try full.backward(try SoftmaxCrossEntropy.compute(logits: a, labels: y).dLogits)
        try cached.backward(try SoftmaxCrossEntropy.compute(logits: b, labels: y).dLogits)
        let ga = full.parameters.first { $0.name == "fc.weight" }!.grad!
        let gb = cached.parameters.first { $0.name == "fc.weight" }!.grad!
        #expect(ga.isClose(to: gb, rtol: 1e-5, atol: 1e-7))
    }

    @Test func groupBoundaryActivationsOfAFeatureMapAreNCHW() throws {
        let model = try Model(architecture: "resnet-mini")
        let (x, _) = Self.batch(2)
        let a = try model.forward(upTo: "layer2", x)
        #expect(a.shape == [2, 16, 28, 28])
        try model.freeze(below: "layer2")
        let viaCache = try model.forward(from: "layer2", a, training: false)
        #expect(viaCache.isClose(to: try model.forward(x, training: false), rtol: 1e-6, atol: 1e-6))
    }

    @Test func replaceHeadGivesAFreshTrainableClassifier() throws {
        let model = try Model(architecture: "small-cnn")
        try model.freeze(below: "head")
        try model.setTrainable(group: "head", false)
        try model.replaceHead(classes: 5, seed: 42)
        #expect(model.classes == 5)
        #expect(model.spec.layers.last!.out == 5)
        let (x, _) = Self.batch(3)
        #expect(try model.forward(x, training: false).shape == [3, 5])
        #expect(try model.isTrainable(group: "head"))
        let again = try Model(architecture: "small-cnn")
        try again.replaceHead(classes: 5, seed: 42)
        #expect(again.stateDict()["fc.weight"] == model.stateDict()["fc.weight"])
    }

    @Test func unknownGroupAndLayerAreErrors() throws {
        let model = try Model(architecture: "small-cnn")
        #expect(throws: ArchitectureError.unknownGroup("layer9")) { try model.setTrainable(group: "layer9", false) }
        #expect(throws: ArchitectureError.unknownLayer("conv9")) { try model.setTrainable(layer: "conv9", false) }
    }

    @Test func wrongInputShapeIsAnError() throws {
        let model = try Model(architecture: "small-cnn")
        #expect(throws: ArchitectureError.self) { try model.forward(Tensor.zeros([2, 3, 28, 28]), training: false) }
    }

    @Test func backwardWithoutTrainingForwardIsAnError() throws {
        let model = try Model(architecture: "small-cnn")
        _ = try model.forward(Self.batch(2).0, training: false)
        #expect(throws: ArchitectureError.self) { try model.backward(Tensor.zeros([2, 10])) }
    }

    @Test func trainingIsDeterministicForASeedAndThreadCount() throws {
        func run() throws -> StateDict {
            let model = try Model(architecture: "resnet-mini", seed: 11)
            let sgd = SGD(model: model, learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4)
            for s in 0..<2 {
                let (x, y) = Self.batch(4, seed: UInt64(s))
                try Self.step(model, x, y)
                sgd.step()
            }
            return model.stateDict()
        }
        let (a, b) = try Parallel.$taskThreads.withValue(2) { (try run(), try run()) }
        #expect(a == b)
    }
}
