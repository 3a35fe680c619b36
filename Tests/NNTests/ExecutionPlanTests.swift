import NN
import Tensor
import Testing

/// The compile step: which fused ops each built-in network's plan holds in inference, in training
/// and under freezing, and that running a plan forward and backward equals the same layers run one
/// by one (`ReferenceWalk`).
@Suite struct ExecutionPlanTests {
    typealias K = FusedOp.Kind
    static let layer = K.layer, cbr = K.convBNReLU, bnr = K.bnReLU

    /// small-cnn: features.0–12 = four conv+bn+relu, a max pool after each pair; pool, flatten, fc.
    @Test func smallCNNPlans() throws {
        let model = try Model(architecture: "small-cnn")
        let tail = [Self.layer, Self.layer, Self.layer]   // pool, flatten, fc
        #expect(model.executionPlan(training: false).kinds
                == [Self.cbr, Self.cbr, Self.layer, Self.cbr, Self.cbr, Self.layer] + tail)
        let training = model.executionPlan(training: true)
        #expect(training.kinds == [Self.layer, Self.bnr, Self.layer, Self.bnr, Self.layer,
                                   Self.layer, Self.bnr, Self.layer, Self.bnr, Self.layer] + tail)
        #expect(training.ops.map(\.layers).prefix(3) == [0..<1, 1..<3, 3..<4])
        #expect(training.backwardRange == 0..<model.layers.count)
        #expect(model.executionPlan(training: false).backwardRange == nil)

        try model.freeze(below: "block2")
        let block2 = try model.firstLayer(of: "block2")
        let frozen = model.executionPlan(training: true)
        #expect(frozen.kinds == [Self.cbr, Self.cbr, Self.layer, Self.layer, Self.bnr, Self.layer, Self.bnr, Self.layer] + tail)
        #expect(frozen.backwardRange == block2..<model.layers.count)

        try model.freeze(below: "head")
        #expect(model.executionPlan(training: true).kinds == model.executionPlan(training: false).kinds)
        #expect(model.executionPlan(training: true).backwardRange == (model.layers.count - 1)..<model.layers.count)

        // Unfreezing drops the compiled plans: block1 trains again on the next pass.
        try model.setTrainable(group: "block1", true)
        #expect(model.executionPlan(training: true).kinds.prefix(2) == [Self.layer, Self.bnr])
    }

    /// fastai's train_bn in a frozen block: the BatchNorm trains and records, so its convolution
    /// runs alone (no epilogue) and BatchNorm keeps its one-pass ReLU; recording starts at it, so
    /// the frozen layers above it record too and lose their epilogues.
    @Test func batchNormOnlyTrainingKeepsBNReLUButNoEpilogue() throws {
        let model = try Model(architecture: "small-cnn")
        try model.freeze(below: "head")
        try model.setBatchNormOnlyTrainable(layer: "features.1")
        let plan = model.executionPlan(training: true)
        #expect(plan.kinds.prefix(4) == [Self.layer, Self.bnr, Self.layer, Self.bnr])
        #expect(!plan.kinds.contains(Self.cbr))
        #expect(plan.backwardRange?.lowerBound == 1)
        #expect(model.executionPlan(training: false).kinds.first == Self.cbr)
    }

    /// resnet-mini: conv1/bn1/relu stem, six BasicBlocks (their stages fused inside), pool, flatten, fc.
    @Test func resnetMiniPlans() throws {
        let model = try Model(architecture: "resnet-mini")
        let body = Array(repeating: Self.layer, count: 6 + 3)
        #expect(model.executionPlan(training: false).kinds == [Self.cbr] + body)
        #expect(model.executionPlan(training: true).kinds == [Self.layer, Self.bnr] + body)
        try model.freeze(below: "layer1")
        #expect(model.executionPlan(training: true).kinds == [Self.cbr] + body)
        #expect(model.executionPlan(training: true).backwardRange == 3..<model.layers.count)
    }

    /// resnet18: the 7x7 stem's conv+bn+relu, the max pool, eight BasicBlocks, pool, flatten, fc.
    @Test func resnet18Plans() throws {
        let model = try Model(architecture: "resnet18", classes: 10)
        let body = Array(repeating: Self.layer, count: 1 + 8 + 3)
        #expect(model.executionPlan(training: false).kinds == [Self.cbr] + body)
        #expect(model.executionPlan(training: true).kinds == [Self.layer, Self.bnr] + body)
        #expect(model.executionPlan(training: true).ops.first?.layers == 0..<1)
    }

    /// vgg16 has no BatchNorm: conv and ReLU stay apart, every op is one layer in every mode. Built
    /// with its layer sequence but 1/16 of the widths (the real one holds half a gigabyte of weights).
    @Test func vgg16PlanIsLayerByLayer() throws {
        var spec = BuiltinArchitectures.vgg16(classes: 10)
        for i in spec.layers.indices {
            if spec.layers[i].kind == .conv2d {
                spec.layers[i].in = i == 0 ? 3 : spec.layers[i].in! / 16
                spec.layers[i].out = spec.layers[i].out! / 16
            } else if spec.layers[i].kind == .linear {
                spec.layers[i].in = spec.layers[i].name == "classifier.0" ? 32 * 7 * 7 : 64
                if spec.layers[i].name != "classifier.6" { spec.layers[i].out = 64 }
            }
        }
        let model = try Model(spec: spec)
        for training in [false, true] {
            let plan = model.executionPlan(training: training)
            #expect(plan.kinds == Array(repeating: Self.layer, count: model.layers.count), "\(plan)")
        }
    }

    /// A pass that starts between a BatchNorm and its ReLU (a group boundary there) cannot fuse them.
    @Test func aPlanNeverFusesAcrossItsStart() throws {
        let model = try Model(spec: ReferenceWalk.mixed)
        let full = model.executionPlan(training: true)
        let r2 = model.layers.firstIndex { $0.name == "r2" }!
        #expect(full.ops.contains { $0.kind == Self.bnr && $0.layers == (r2 - 1)..<(r2 + 1) }, "\(full)")
        let fromC = try model.executionPlan(from: "c", training: true)
        #expect(fromC.ops.first?.kind == Self.layer && fromC.ops.first?.layers == r2..<(r2 + 1), "\(fromC)")
        #expect(fromC.backwardRange == r2..<model.layers.count)
    }

    static let freezings: [String] = ["none", "below-b", "gap", "train-bn", "below-head"]

    /// Forward and backward through the model's plans against the layers run one by one with the
    /// modes the model assigns. bn+relu is exact (the same arithmetic in one pass); a conv+bn+relu
    /// epilogue folds BatchNorm into a scale and shift, so passes with one (inference, and training
    /// with a frozen conv+bn+relu below the trainable layers) agree within float tolerance.
    @Test(arguments: freezings)
    func planEqualsLayerByLayer(freezing: String) throws {
        let (planned, reference) = (try Model(spec: ReferenceWalk.mixed, seed: 7), try Model(spec: ReferenceWalk.mixed, seed: 7))
        for m in [planned, reference] {
            FusedBatchNormTests.perturbBatchNorms(m.parameters, m.buffers)
            switch freezing {
            case "below-b": try m.freeze(below: "b")
            case "gap": try m.freeze(below: "b"); try m.setTrainable(group: "c", false)
            case "train-bn": try m.freeze(below: "head"); try m.setBatchNormOnlyTrainable(layer: "b0")
            case "below-head": try m.freeze(below: "head")
            default: break
            }
        }
        let x = FusedBatchNormTests.random([5, 2, 9, 9], seed: 8)
        let labels = [0, 1, 2, 0, 1]

        #expect(planned.executionPlan(training: false).kinds.contains(.convBNReLU))
        let eval = try planned.forward(x, training: false)
        #expect(worstExcess(eval, ReferenceWalk.forward(reference, x, training: false, seed: 0), rtol: 1e-5, atol: 1e-5) == 0)

        let exact = !planned.executionPlan(training: true).kinds.contains(.convBNReLU)
        #expect(exact == ["none", "train-bn"].contains(freezing), "\(planned.executionPlan(training: true))")
        func expectSame(_ a: Tensor?, _ b: Tensor?, _ what: String) {
            guard let a, let b else { return #expect(a == nil && b == nil, "\(what): one side has none") }
            if exact { #expect(a == b, "\(what)") } else { #expect(worstExcess(a, b) == 0, "\(what)") }
        }
        planned.reseedDropout(3)
        let logits = try planned.forward(x, training: true)
        expectSame(logits, ReferenceWalk.forward(reference, x, training: true, seed: 3), "logits")
        let dLogits = try SoftmaxCrossEntropy.compute(logits: logits, labels: labels).dLogits
        try planned.backward(dLogits)
        ReferenceWalk.backward(reference, dLogits)
        for (p, q) in zip(planned.parameters, reference.parameters) { expectSame(p.grad, q.grad, p.name) }
        for (a, b) in zip(planned.buffers, reference.buffers) { expectSame(a.value, b.value, a.name) }
        #expect(planned.parameters.filter { $0.grad != nil }.count == planned.parameters.filter(\.trainable).count)
    }
}
