import Foundation
import NN
import Tensor
import Testing

/// resnet18/34/50 against PyTorch (torchvision's module tree) on goldens that
/// Tests/Fixtures/resnets/generate.py writes into the build folder (deploy/test.sh runs it first):
/// eval-mode logits and loss; then, with every layer training ("train") and with stem–layer3
/// frozen in eval mode ("frozen"), step 1's logits, loss and every gradient, the state (BN running
/// statistics, weights) after SGD step 1 and after step 3.
///
/// Each tensor is compared with PyTorch's float64 reference: Thaw's worst deviation must stay within
/// `factor` times PyTorch float32's own worst deviation (`err/<key>` in the file), plus a floor of
/// 1e-6 of the tensor's largest magnitude for tensors PyTorch happens to get almost exact (see
/// `expectClose` for the one allowance: a ReLU flipped by rounding).
/// Serialized: one case's golden and model at a time (resnet50's file alone is ~0.5 GiB).
@Suite(.serialized) struct ResNetParityTests {
    static let factor: Float = 8

    static var directory: String {
        if let env = ProcessInfo.processInfo.environment["THAW_RESNET_GOLDEN_DIR"] { return env }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/goldens/resnets").path
    }

    static func golden(_ name: String) throws -> [String: NamedTensor] {
        let path = directory + "/" + name + ".safetensors"
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("""
                missing golden \(path); generate it with
                  PY=$(deploy/torch-env.sh) && "$PY" Tests/Fixtures/resnets/generate.py --out .build/goldens/resnets
                """)
            throw CancellationError()
        }
        return try Safetensors.read(path: path).tensors.byName
    }

    /// Records a failure naming the key when `value` is further from the reference than allowed.
    ///
    /// Strict: every element within `factor` × PyTorch float32's worst deviation (+ the floor).
    /// A ReLU whose input lies within rounding of zero in the reference can go either way in any
    /// float32 implementation; when Thaw's rounding flips one, the gradients that flow through that
    /// single element differ: seen in resnet50 at 64x64, where exactly one channel of one block's
    /// `bn3.bias` gradient is off (by one element's dOutput) and, through that block's train-mode
    /// BatchNorms, every gradient below it by ~2.5% relative L2. So `kinkTolerant` tensors
    /// (gradients and states; never logits or losses) also pass with a relative L2 error of at most
    /// 5%; a wrong formula (a missing term, a wrong stride) moves them by O(1). Such passes are printed.
    static func expectClose(_ value: Tensor, _ key: String, _ g: [String: NamedTensor], kinkTolerant: Bool = false,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        guard let ref = g[key]?.tensor, let torchErr = g["err/" + key]?.tensor.storage.first else {
            Issue.record("golden has no \(key)", sourceLocation: sourceLocation)
            return
        }
        guard value.count == ref.count else {
            Issue.record("\(key): \(value.count) values, golden \(ref.count)", sourceLocation: sourceLocation)
            return
        }
        var scale: Float = 0
        for v in ref.storage { scale = max(scale, abs(v)) }
        let allowed = factor * torchErr + 1e-6 * scale
        var worst: Float = 0, over = 0, diff2: Double = 0, ref2: Double = 0
        for i in 0..<ref.count {
            let d = value.storage[i] - ref.storage[i]
            worst = max(worst, abs(d))
            if abs(d) > allowed { over += 1 }
            diff2 += Double(d) * Double(d)
            ref2 += Double(ref.storage[i]) * Double(ref.storage[i])
        }
        let relL2 = (diff2 / max(ref2, 1e-300)).squareRoot()
        let flipped = kinkTolerant && relL2 <= 0.05
        if over > 0 && flipped {
            print("ResNetParityTests: \(key) within relative L2 \(relL2) only (\(over) of \(ref.count) elements outside \(allowed))")
        }
        #expect(over == 0 || flipped,
                "\(key): Thaw deviates \(worst) from float64 where PyTorch float32 deviates \(torchErr) (allowed \(allowed)); \(over) of \(ref.count) elements outside, relative L2 \(relL2)",
                sourceLocation: sourceLocation)
    }

    static func model(_ arch: String, side: Int, _ g: [String: NamedTensor]) throws -> Model {
        var spec = try BuiltinArchitectures.spec(named: arch, classes: 10)
        spec.inputShape = [3, side, side]
        let m = try Model(spec: spec)
        let prefix = "init/"
        let initial = StateDict(g.values.filter { $0.name.hasPrefix(prefix) }.map {
            NamedTensor(name: String($0.name.dropFirst(prefix.count)), tensor: $0.tensor, dtype: $0.dtype)
        })
        try m.load(stateDict: initial, strict: true)
        return m
    }

    /// generate.py's DEFAULT_CASES: every architecture at 64x64, resnet18 at 224x224 too.
    static let cases = ["resnet18_64", "resnet34_64", "resnet50_64", "resnet18_224"]

    static func split(_ name: String) -> (String, Int) {
        let parts = name.split(separator: "_")
        return (String(parts[0]), Int(parts[1])!)
    }

    @Test(arguments: cases)
    func evalForward(_ name: String) throws {
        let (arch, side) = Self.split(name)
        let g = try Self.golden("\(arch)_\(side)")
        let m = try Self.model(arch, side: side, g)
        let labels = g["y"]!.tensor.storage.map { Int($0) }
        let logits = try m.forward(g["x"]!.tensor, training: false)
        Self.expectClose(logits, "eval/logits", g)
        let loss = try SoftmaxCrossEntropy.compute(logits: logits, labels: labels).loss
        Self.expectClose(Tensor(shape: [1], storage: [loss]), "eval/loss", g)
    }

    @Test(arguments: cases, ["train", "frozen"])
    func trainingSteps(_ name: String, phase: String) throws {
        let (arch, side) = Self.split(name)
        let g = try Self.golden("\(arch)_\(side)")
        let m = try Self.model(arch, side: side, g)
        if phase == "frozen" { try m.freeze(below: "layer4") }
        let x = g["x"]!.tensor, labels = g["y"]!.tensor.storage.map { Int($0) }
        let sgd = SGD(model: m, learningRate: 0.01, momentum: 0.9, weightDecay: 1e-4)
        for step in 1...3 {
            m.zeroGradients()
            let logits = try m.forward(x, training: true)
            let (loss, dLogits) = try SoftmaxCrossEntropy.compute(logits: logits, labels: labels)
            try m.backward(dLogits)
            if step == 1 {
                Self.expectClose(logits, "\(phase)/logits", g)
                Self.expectClose(Tensor(shape: [1], storage: [loss]), "\(phase)/loss", g)
                for p in m.parameters where p.trainable {
                    let grad = try #require(p.grad, "\(p.name) has no gradient")
                    Self.expectClose(grad, "\(phase)/grad/\(p.name)", g, kinkTolerant: true)
                }
                #expect(m.parameters.filter(\.trainable).count == g.keys.filter { $0.hasPrefix("\(phase)/grad/") }.count)
            }
            sgd.step()
            guard step == 1 || step == 3 else { continue }
            for e in m.stateDict().entries {
                let key = "\(phase)/state\(step)/\(e.name)"
                if e.dtype == .i64 {
                    if let expected = g[key] { #expect(e.tensor.storage == expected.tensor.storage, "\(key)") }
                } else if g[key] != nil {
                    Self.expectClose(e.tensor, key, g, kinkTolerant: true)
                } else {
                    // Frozen: unchanged from the initial state, bit for bit.
                    #expect(phase == "frozen" && e.tensor.storage == g["init/" + e.name]?.tensor.storage, "\(key) changed")
                }
            }
        }
    }
}
