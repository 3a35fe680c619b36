import NN
import Tensor
import Testing

/// Optimizer update rules against values PyTorch 2.13 produced for the same three gradients
/// (`p = [1, -2, 0.5]`; before step 3 the group's lr and beta1/momentum change, as a one-cycle
/// schedule would), and state save/restore.
@Suite struct OptimizerTests {
    static let grads: [[Float]] = [[0.3, -0.1, 2.0], [0.5, 0.2, -1.0], [-0.4, 0.7, 0.1]]

    static func run(_ make: ([ParameterGroup]) -> any Optimizer, lr: Float, wd: Float, beta1: Float,
                    step3: (lr: Float, beta1: Float)) -> [Float] {
        let p = Parameter(name: "p", value: Tensor(shape: [3], storage: [1, -2, 0.5]))
        let group = ParameterGroup(name: "g", parameters: [p], learningRate: lr, weightDecay: wd, beta1: beta1)
        let opt = make([group])
        for (i, g) in grads.enumerated() {
            if i == 2 { (group.learningRate, group.beta1) = step3 }
            p.grad = Tensor(shape: [3], storage: g)
            opt.step()
        }
        return p.value.storage
    }

    static func close(_ a: [Float], _ b: [Float]) -> Bool {
        zip(a, b).allSatisfy { abs($0 - $1) <= 1e-6 + 1e-5 * abs($1) }
    }

    @Test func adamWMatchesPyTorch() {
        let p = Self.run({ Adam(groups: $0, variant: .adamW) }, lr: 0.1, wd: 0.01, beta1: 0.9, step3: (0.05, 0.85))
        #expect(Self.close(p, [0.7976922392845154, -1.9666544198989868, 0.36395496129989624]), "\(p)")
    }

    @Test func adamWithL2WeightDecayMatchesPyTorch() {
        let p = Self.run({ Adam(groups: $0, variant: .adam) }, lr: 0.1, wd: 0.1, beta1: 0.9, step3: (0.05, 0.85))
        #expect(Self.close(p, [0.7913981080055237, -1.856308937072754, 0.3614116311073303]), "\(p)")
    }

    @Test func sgdNesterovMatchesPyTorch() {
        let p = Self.run({ SGD(groups: $0, nesterov: true) }, lr: 0.1, wd: 0.01, beta1: 0.9, step3: (0.05, 0.85))
        #expect(Self.close(p, [0.8269628286361694, -2.0672309398651123, 0.10792776942253113]), "\(p)")
    }

    @Test func sgdDampeningMatchesPyTorch() {
        let p = Self.run({ SGD(groups: $0, dampening: 0.3) }, lr: 0.1, wd: 0.01, beta1: 0.9, step3: (0.05, 0.85))
        #expect(Self.close(p, [0.892084002494812, -2.014380693435669, 0.1382438838481903]), "\(p)")
    }

    @Test func frozenParametersAreSkippedAndKeepTheirState() {
        let a = Parameter(name: "a", value: Tensor(shape: [1], storage: [1]))
        let b = Parameter(name: "b", value: Tensor(shape: [1], storage: [1]))
        let opt = Adam(groups: [ParameterGroup(name: "g", parameters: [a, b], learningRate: 0.1, beta1: 0.9)])
        a.grad = Tensor(shape: [1], storage: [1])
        b.grad = Tensor(shape: [1], storage: [1])
        b.trainable = false
        opt.step()
        #expect(a.value.storage != [1])
        #expect(b.value.storage == [1])
        #expect(opt.steps(of: b) == 0)
        #expect(opt.steps(of: a) == 1)
    }

    @Test(arguments: ["adamW", "sgd"])
    func stateSaveAndRestoreContinuesIdentically(_ kind: String) throws {
        func make(_ model: Model) -> any Optimizer {
            kind == "sgd" ? SGD(model: model, learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4)
                : Adam(model: model, learningRate: 1e-3, weightDecay: 0.01)
        }
        let (x, y) = FreezingTests.batch(4)
        let a = try Model(architecture: "small-cnn", seed: 2)
        let optA = make(a)
        for _ in 0..<2 { try FreezingTests.step(a, x, y); optA.step() }
        // Checkpoint through safetensors bytes, restore into a fresh model + optimizer.
        let bytes = Safetensors.encode(a.stateDict() + optA.stateDict())
        let restored = try Safetensors.decode(bytes).tensors
        let b = try Model(architecture: "small-cnn", seed: 99)
        try b.load(stateDict: StateDict(restored.entries.filter { a.stateDict().keys.contains($0.name) }))
        let optB = make(b)
        try optB.load(stateDict: StateDict(restored.entries.filter { !a.stateDict().keys.contains($0.name) }))
        #expect(optB.stateDict() == optA.stateDict())
        try FreezingTests.step(a, x, y); optA.step()
        try FreezingTests.step(b, x, y); optB.step()
        #expect(a.stateDict() == b.stateDict())
    }

    @Test func restoringUnknownParameterStateIsNamed() throws {
        let model = try Model(architecture: "small-cnn")
        let opt = SGD(model: model, learningRate: 0.1, momentum: 0.9)
        let bad = StateDict([NamedTensor(name: "conv9.weight.momentum_buffer", tensor: Tensor.zeros([1]))])
        #expect(throws: StateDictError.unexpectedKey("conv9.weight.momentum_buffer")) { try opt.load(stateDict: bad) }
    }

    @Test func restoringWrongShapedStateIsNamed() throws {
        let model = try Model(architecture: "small-cnn")
        let opt = Adam(model: model)
        let bad = StateDict([NamedTensor(name: "fc.bias.exp_avg", tensor: Tensor.zeros([3]))])
        #expect(throws: StateDictError.shapeMismatch(key: "fc.bias.exp_avg", expected: [10], got: [3])) {
            try opt.load(stateDict: bad)
        }
    }

    @Test func restoringIncompleteAdamStateIsNamed() throws {
        let model = try Model(architecture: "small-cnn")
        let opt = Adam(model: model)
        let bad = StateDict([NamedTensor(name: "fc.bias.exp_avg", tensor: Tensor.zeros([10]))])
        #expect(throws: StateDictError.missingKey("fc.bias.exp_avg_sq")) { try opt.load(stateDict: bad) }
    }

    @Test func labelSmoothingMatchesPyTorch() throws {
        // torch.nn.functional.cross_entropy(logits, [2, 0], label_smoothing=0.1)
        let logits = Tensor(shape: [2, 3], storage: [1, 2, 3, 0.5, -1, 0])
        let (loss, d) = try SoftmaxCrossEntropy.compute(logits: logits, labels: [2, 0], labelSmoothing: 0.1)
        #expect(abs(loss - Self.smoothedLoss) < 1e-6, "\(loss)")
        #expect(abs(d.storage.reduce(0, +)) < 1e-6)
    }

    static let smoothedLoss: Float = 0.5892016291618347

    @Test func crossEntropyRejectsOutOfRangeLabels() {
        #expect(throws: SoftmaxCrossEntropy.Failure.labelOutOfRange(index: 1, label: 3, classes: 3)) {
            try SoftmaxCrossEntropy.compute(logits: Tensor.zeros([2, 3]), labels: [0, 3])
        }
    }
}
