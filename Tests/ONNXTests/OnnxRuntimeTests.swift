import Data
import Foundation
import NN
import ONNX
import Tensor
import Testing

/// Every built-in architecture, and one read from an uploaded `architecture_spec`, exported and run
/// by onnxruntime (PyPI, `deploy/onnx-env.sh`) on a batch of real inputs: Fashion-MNIST's test
/// images, for the RGB nets tinted and resized into photos as examples/rgb-finetune makes them. onnxruntime's logits must match Thaw's own eval forward within 1e-4 relative
/// (max |difference| over max |logit|), and `onnx.checker.check_model(full_check=True)` must pass.
/// BatchNorm statistics and affine parameters are randomised first, so that folding them into the
/// convolutions is really exercised (fresh ones are the identity). The torchvision nets run at 64x64
/// with batch 2 to keep CI time low (vgg16's file is still 553 MB: its classifier does not shrink).
@Suite(.serialized) struct OnnxRuntimeTests {
    /// Operators the exporter may emit (docs/api.md lists them).
    static let operators: Set<String> = ["Conv", "Relu", "MaxPool", "AveragePool", "GlobalAveragePool", "Add", "Flatten",
                                         "Gemm", "BatchNormalization", "MatMul", "Identity"]

    /// An uploaded spec with every layer kind and the less common lowerings: a biased convolution
    /// without BatchNorm, a lone BatchNorm, padded max and average pools, both residual blocks, an
    /// adaptive pool of uneven windows (7x7 → 3x3), dropout and an unbiased linear layer.
    static let uploadedSpec = """
        {"name": "uploaded-mix", "input_shape": [1, 28, 28], "groups": ["body", "head"], "mean": [0.286], "std": [0.353],
         "layers": [
          {"name": "conv", "kind": "conv2d", "group": "body", "in": 1, "out": 8, "kernel": 3, "padding": 1, "bias": true},
          {"name": "act", "kind": "relu"},
          {"name": "norm", "kind": "batch_norm2d", "features": 8},
          {"name": "maxpool", "kind": "max_pool2d", "kernel": 3, "stride": 2, "padding": 1},
          {"name": "block", "kind": "basic_block", "in": 8, "out": 16, "stride": 2},
          {"name": "neck", "kind": "bottleneck", "in": 16, "out": 16, "width": 4},
          {"name": "avgpool", "kind": "avg_pool2d", "kernel": 3, "stride": 1, "padding": 1},
          {"name": "adaptive", "kind": "adaptive_avg_pool2d", "output": 3},
          {"name": "flatten", "kind": "flatten"},
          {"name": "drop", "kind": "dropout", "p": 0.5},
          {"name": "hidden", "kind": "linear", "group": "head", "in": 144, "out": 32},
          {"name": "hidden_act", "kind": "relu"},
          {"name": "fc", "kind": "linear", "in": 32, "out": 10, "bias": false}
         ]}
        """

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var inputShape: [Int]?
        var batch: Int
        var testDescription: String { name }
    }

    static let cases = [
        Case(name: "small-cnn", batch: 16), Case(name: "resnet-mini", batch: 16),
        Case(name: "resnet18", inputShape: [3, 64, 64], batch: 2), Case(name: "resnet34", inputShape: [3, 64, 64], batch: 2),
        Case(name: "resnet50", inputShape: [3, 64, 64], batch: 2), Case(name: "vgg16", inputShape: [3, 64, 64], batch: 2),
        Case(name: "uploaded-mix", batch: 8),
    ]

    @Test func everyBuiltinArchitectureIsCovered() {
        #expect(Set(BuiltinArchitectures.names).isSubset(of: Set(Self.cases.map(\.name))))
    }

    @Test(arguments: cases)
    func onnxruntimeMatchesTheEvalForward(_ c: Case) throws {
        var spec = c.name == "uploaded-mix" ? try ArchitectureSpec.decode(json: Self.uploadedSpec)
                                            : try BuiltinArchitectures.spec(named: c.name)
        if let shape = c.inputShape { spec.inputShape = shape }
        let model = try Model(spec: spec, seed: 7)
        Self.randomizeBatchNorms(model)
        let (input, dims) = try Self.batch(c.batch, shape: spec.inputShape, mean: spec.mean ?? [], std: spec.std ?? [])
        let expected = try model.forward(Tensor(shape: dims, storage: input), training: false)

        let classNames = (0..<model.classes).map { "class \($0)" }
        let started = Date()
        let onnx = try ONNXExport.model(model, metadata: ModelMetadata(spec: spec, classNames: classNames, job: "job_x"))
        let exportSeconds = Date().timeIntervalSince(started)
        let result = try OnnxRuntime.run(onnx, input: input, dims: dims)
        let report = result.report
        #expect(report["checker"] as? String == "ok")
        #expect(report["reserialized_identical"] as? Bool == true, "protobuf re-serialises the file differently")
        #expect(report["ir_version"] as? Int == 8 && report["opsets"] as? [String: Int] == ["": 17])
        let inputDims = (report["inputs"] as? [String: [Any]])?["input"]
        #expect(inputDims?.first as? String == "N" && inputDims?.dropFirst().compactMap { $0 as? Int } == spec.inputShape)
        let outputDims = (report["outputs"] as? [String: [Any]])?["logits"]
        #expect(outputDims?.first as? String == "N" && outputDims?.last as? Int == model.classes)
        #expect(report["logits_shape"] as? [Int] == [c.batch, model.classes])
        let ops = Set(report["ops"] as? [String] ?? [])
        #expect(ops.isSubset(of: Self.operators), "\(ops.subtracting(Self.operators))")
        let metadata = report["metadata"] as? [String: String] ?? [:]
        #expect(metadata["thaw.classes"].flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } == classNames)
        #expect(metadata["thaw.mean"].flatMap { try? JSONDecoder().decode([Double].self, from: Data($0.utf8)) } == spec.mean)
        #expect(metadata["thaw.std"].flatMap { try? JSONDecoder().decode([Double].self, from: Data($0.utf8)) } == spec.std)
        #expect(metadata["thaw.job"] == "job_x")

        try #require(result.logits.count == expected.storage.count)
        let deviation = OnnxRuntime.relativeDeviation(result.logits, expected.storage)
        #expect(deviation <= 1e-4, "\(c.name): onnxruntime deviates by \(deviation) (relative)")
        // The logits are not trivially equal (a constant or zero output would also "match").
        #expect(Set(expected.storage.map { ($0 * 1e3).rounded() }).count > 1)
        print("onnx \(c.name) \(spec.inputShape) batch \(c.batch): \(onnx.count) bytes, export \(String(format: "%.2f", exportSeconds)) s, relative deviation \(deviation)")
    }

    /// γ, β, running mean and variance of every BatchNorm (also inside residual blocks), drawn
    /// deterministically; the state a trained network has rather than the identity of a fresh one.
    static func randomizeBatchNorms(_ model: Model) {
        var state: UInt64 = 99
        func uniform(_ lo: Float, _ hi: Float) -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return lo + (hi - lo) * Float(state >> 40) / Float(1 << 24)
        }
        for layer in model.layers {
            for p in Model.batchNormParameters(of: layer) {
                let isScale = p.name.hasSuffix(".weight")
                p.value.storage = p.value.storage.map { _ in isScale ? uniform(0.5, 1.5) : uniform(-0.2, 0.2) }
            }
        }
        for b in model.buffers where !b.isInteger {
            let isVariance = b.name.hasSuffix(".running_var")
            b.value.storage = b.value.storage.map { _ in isVariance ? uniform(0.5, 2) : uniform(-0.2, 0.2) }
        }
    }

    /// A normalised NCHW batch of Fashion-MNIST test images: as they are for the 1x28x28 nets; for the
    /// others made into RGB photos the way examples/rgb-finetune makes its folder (each garment tinted
    /// its own colour, resized bilinearly by the photo pipeline's own resizer to H x W).
    static func batch(_ n: Int, shape: [Int], mean: [Double], std: [Double]) throws -> ([Float], [Int]) {
        let (c, h, w) = (shape[0], shape[1], shape[2])
        let test = try FashionMNIST.load(split: .test)
        var pixels: [UInt8]
        if c == 1 && h == 28 && w == 28 {
            pixels = Array(test.pixels.prefix(n * 784))
        } else {
            pixels = []
            let tints: [[Double]] = [[1.0, 0.55, 0.35], [0.4, 0.75, 1.0], [0.6, 1.0, 0.5], [1.0, 0.9, 0.4]]
            for i in 0..<n {
                let gray = Array(test.pixels[(i * 784)..<((i + 1) * 784)])
                let tint = tints[i % tints.count]
                var rgb = [UInt8](repeating: 0, count: 784 * 3)
                for p in 0..<784 { for ch in 0..<3 { rgb[p * 3 + ch] = UInt8((Double(gray[p]) * tint[ch]).rounded()) } }
                let photo = ImageResizer.resize(DecodedImage(width: 28, height: 28, channels: 3, pixels: rgb), height: h, width: w)
                pixels += photo.converted(toChannels: c).planar()
            }
        }
        let plane = h * w
        let x = pixels.enumerated().map { k, p in
            let ch = (k / plane) % c
            return Float((Double(p) / 255 - mean[ch]) / std[ch])
        }
        return (x, [n, c, h, w])
    }
}
