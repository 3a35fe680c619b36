import NN
import Tensor
import Testing

/// Where a frozen prefix may be cut for the activation cache (`Model.cacheCutLayer`): at the first
/// layer a training pass runs differently from inference, not at the start of its group.
@Suite struct CacheCutTests {
    /// resnet-mini with `avgpool` and `flatten` moved into the head group, as a custom spec may group
    /// them: the head phase's cut is still `fc`, so the cache holds the pooled 64-d vectors.
    static func pooledHeadGroup() throws -> Model {
        var spec = try BuiltinArchitectures.spec(named: "resnet-mini", classes: 3)
        let pool = spec.layers.firstIndex { $0.name == "avgpool" }!
        spec.layers[pool].group = "head"
        spec.layers[spec.layers.firstIndex { $0.name == "fc" }!].group = nil
        return try Model(spec: spec, seed: 3)
    }

    static func index(_ model: Model, _ name: String) -> Int { model.layers.firstIndex { $0.name == name }! }

    @Test func aHeadGroupStartingWithPoolsIsCutAtItsLinearLayer() throws {
        let model = try Self.pooledHeadGroup()
        try model.freeze(below: "head")
        #expect(try model.firstLayer(of: "head") == Self.index(model, "avgpool"))
        let cut = try #require(model.cacheCutLayer)
        #expect(cut == Self.index(model, "fc"))
        #expect(model.shapes[cut] == [64])
    }

    @Test func aPartlyUnfrozenGroupIsCutAtItsFirstTrainableLayer() throws {
        let model = try Model(architecture: "small-cnn", classes: 3, seed: 1)
        for layer in model.layers { try model.setTrainable(layer: layer.name, false) }
        for name in ["features.10", "features.11", "fc"] { try model.setTrainable(layer: name, true) }
        #expect(model.cacheCutLayer == Self.index(model, "features.10"))
        #expect(try model.firstLayer(of: "block2") < Self.index(model, "features.10"))
    }

    /// A trainable dropout below the lowest trainable parameters draws new masks every batch: the
    /// prefix stops before it.
    @Test func aTrainableDropoutBelowTheHeadMovesTheCutDown() throws {
        var spec = try BuiltinArchitectures.spec(named: "small-cnn", classes: 3)
        let fc = spec.layers.firstIndex { $0.name == "fc" }!
        spec.layers[fc].group = nil
        spec.layers.insert(LayerSpec(name: "drop", kind: .dropout, group: "head", p: 0.5), at: fc)
        let model = try Model(spec: spec, seed: 1)
        try model.freeze(below: "head")
        #expect(model.cacheCutLayer == Self.index(model, "drop"))
        try model.setTrainable(layer: "drop", false)
        #expect(model.cacheCutLayer == Self.index(model, "fc"))
    }

    @Test func nothingToCutWhenTheFirstLayerOrNothingTrains() throws {
        let model = try Model(architecture: "small-cnn", classes: 3, seed: 1)
        #expect(model.cacheCutLayer == nil)  // every layer trains
        for layer in model.layers { try model.setTrainable(layer: layer.name, false) }
        #expect(model.cacheCutLayer == nil)
    }

    /// Activations at the cut, then the rest: the logits and the head's gradient of the full pass.
    @Test func trainingFromTheCutEqualsTheFullPass() throws {
        let full = try Self.pooledHeadGroup(), cached = try Self.pooledHeadGroup()
        for m in [full, cached] { try m.freeze(below: "head") }
        var g = SeededGenerator(seed: 9)
        var x = Tensor.zeros([5, 1, 28, 28])
        for i in 0..<x.count { x.storage[i] = g.uniform(-1, 1) }
        let labels = [0, 1, 2, 0, 1]
        let cut = try #require(cached.cacheCutLayer)
        let features = try cached.forward(upToLayer: cut, x)
        #expect(features.shape == [5, 64])
        let a = try full.forward(x, training: true)
        let b = try cached.forward(fromLayer: cut, features, training: true)
        #expect(a.isClose(to: b, rtol: 1e-6, atol: 1e-6))
        try full.backward(try SoftmaxCrossEntropy.compute(logits: a, labels: labels).dLogits)
        try cached.backward(try SoftmaxCrossEntropy.compute(logits: b, labels: labels).dLogits)
        let ga = full.parameters.first { $0.name == "fc.weight" }!.grad!
        let gb = cached.parameters.first { $0.name == "fc.weight" }!.grad!
        #expect(ga.isClose(to: gb, rtol: 1e-5, atol: 1e-7))
    }

    @Test func aCutOutsideTheLayersIsRefused() throws {
        let model = try Model(architecture: "small-cnn", classes: 3, seed: 1)
        let x = Tensor(shape: [1, 1, 28, 28], repeating: 0)
        #expect(throws: ArchitectureError.self) { try model.forward(upToLayer: 0, x) }
        #expect(throws: ArchitectureError.self) { try model.forward(upToLayer: model.layers.count, x) }
    }
}
