import NN
@testable import ONNX
import Tensor
import Testing

/// The graphs `ONNXExport` builds, read back from its `ModelProto` (onnxruntime runs them in
/// `OnnxRuntimeTests`).
@Suite struct GraphLoweringTests {
    static func proto(_ spec: ArchitectureSpec, classNames: [String] = []) throws -> ModelProto {
        let model = try Model(spec: spec, seed: 1)
        return try ONNXExport.modelProto(model, metadata: ModelMetadata(spec: spec, classNames: classNames))
    }

    static func spec(_ layers: [LayerSpec], input: [Int] = [1, 8, 8]) -> ArchitectureSpec {
        ArchitectureSpec(name: "t", inputShape: input, groups: ["head"], layers: layers, mean: [0.5], std: [0.25])
    }

    @Test func smallCNNIsFoldedConvsPoolsAndGemm() throws {
        let names = (0..<10).map { "c\($0)" }
        let p = try Self.proto(BuiltinArchitectures.smallCNN(), classNames: names)
        #expect(p.irVersion == 8 && p.opsetImport.map(\.version) == [17] && p.opsetImport[0].domain == "")
        let g = p.graph
        #expect(g.nodes.map(\.opType) == ["Conv", "Relu", "Conv", "Relu", "MaxPool", "Conv", "Relu", "Conv", "Relu", "MaxPool",
                                          "GlobalAveragePool", "Flatten", "Gemm"])
        #expect(g.nodes.first?.inputs.first == "input" && g.nodes.last?.outputs == ["logits"])
        #expect(g.inputs.map(\.name) == ["input"] && g.inputs[0].shape == [.param("N"), .value(1), .value(28), .value(28)])
        #expect(g.outputs.map(\.name) == ["logits"] && g.outputs[0].shape == [.param("N"), .value(10)])
        // Four folded convolutions (weight + bias each) and the head: no BatchNorm tensors remain.
        #expect(g.initializers.map(\.name) == ["features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
                                               "features.7.weight", "features.7.bias", "features.10.weight", "features.10.bias",
                                               "fc.weight", "fc.bias"])
        #expect(g.nodes[0].name == "features.0+features.1")
        #expect(g.nodes[4].attributes == [.ints("kernel_shape", [2, 2]), .ints("pads", [0, 0, 0, 0]), .ints("strides", [2, 2])])
        #expect(g.nodes.last?.attributes == [.int("transB", 1)])
        let props = Dictionary(uniqueKeysWithValues: p.metadataProps.map { ($0.key, $0.value) })
        #expect(props["thaw.classes"] == #"["c0","c1","c2","c3","c4","c5","c6","c7","c8","c9"]"#)
        #expect(props["thaw.mean"] == "[0.286]" && props["thaw.std"] == "[0.353]")
        #expect(props["thaw.architecture"] == "small-cnn" && props["format"] == nil)
    }

    @Test func batchNormFoldsIntoTheConvolution() throws {
        let model = try Model(spec: BuiltinArchitectures.smallCNN(), seed: 2)
        let conv = model.layers[0] as! Conv2dLayer, bn = model.layers[1] as! BatchNorm2dLayer
        bn.weight.value.storage = (0..<32).map { 0.5 + Float($0) / 32 }
        bn.bias.value.storage = (0..<32).map { Float($0) / 64 - 0.25 }
        bn.runningMean.value.storage = (0..<32).map { Float($0 % 5) / 10 }
        bn.runningVar.value.storage = (0..<32).map { 0.5 + Float($0 % 3) }
        let g = try ONNXExport.modelProto(model, metadata: ModelMetadata(spec: model.spec)).graph
        let w = g.initializers[0].values, b = g.initializers[1].values
        #expect(g.initializers[0].dims == [32, 1, 3, 3] && g.initializers[1].dims == [32])
        for o in [0, 7, 31] {
            let s = bn.weight.value.storage[o] / (bn.runningVar.value.storage[o] + 1e-5).squareRoot()
            for k in 0..<9 { #expect(abs(w[o * 9 + k] - conv.weight.value.storage[o * 9 + k] * s) <= 1e-7) }
            #expect(abs(b[o] - (bn.bias.value.storage[o] - bn.runningMean.value.storage[o] * s)) <= 1e-6)
        }
    }

    @Test func residualBlocksBecomeConvsAddAndRelu() throws {
        let g = try Self.proto(BuiltinArchitectures.resnetMini()).graph
        let count = { (op: String) in g.nodes.filter { $0.opType == op }.count }
        // Stem + 6 blocks of two + 2 shortcuts; every BatchNorm folded.
        #expect(count("Conv") == 15 && count("Add") == 6 && count("BatchNormalization") == 0)
        #expect(count("Relu") == 1 + 6 * 2)
        let add = try #require(g.nodes.first { $0.name == "layer1.0.add" })
        #expect(add.inputs == ["layer1.0.conv2", "relu"])  // the identity shortcut is the block's input
        let shortcut = try #require(g.nodes.first { $0.name == "layer2.0.add" })
        #expect(shortcut.inputs == ["layer2.0.conv2", "layer2.0.downsample.0"])
        let bottleneck = try Self.proto(BuiltinArchitectures.resnet50(classes: 3)).graph
        #expect(bottleneck.nodes.filter { $0.opType == "Add" }.count == 16)
        #expect(bottleneck.nodes.filter { $0.opType == "Conv" }.count == 53)
    }

    @Test func adaptivePoolingByItsWindows() throws {
        func ops(_ input: Int, output: Int) throws -> [String] {
            try Self.proto(Self.spec([LayerSpec(name: "pool", kind: .adaptiveAvgPool2d, output: output),
                                      LayerSpec(name: "flatten", kind: .flatten),
                                      LayerSpec(name: "fc", kind: .linear, in: output * output, out: 2)],
                                     input: [1, input, input])).graph.nodes.map(\.opType)
        }
        #expect(try ops(7, output: 1) == ["GlobalAveragePool", "Flatten", "Gemm"])
        #expect(try ops(7, output: 7) == ["Flatten", "Gemm"])  // vgg16 at 224: the pool is the identity
        #expect(try ops(14, output: 7) == ["AveragePool", "Flatten", "Gemm"])
        #expect(try ops(2, output: 7) == ["MatMul", "MatMul", "Flatten", "Gemm"])  // vgg16 at 64
        let g = try Self.proto(Self.spec([LayerSpec(name: "pool", kind: .adaptiveAvgPool2d, output: 2),
                                          LayerSpec(name: "flatten", kind: .flatten),
                                          LayerSpec(name: "fc", kind: .linear, in: 4, out: 2)], input: [1, 3, 3])).graph
        // Windows of 3 into 2: rows 0..<2 and 1..<3, each averaged.
        #expect(g.initializers[0].name == "pool.rows" && g.initializers[0].values == [0.5, 0.5, 0, 0, 0.5, 0.5])
        #expect(g.initializers[1].name == "pool.cols" && g.initializers[1].values == [0.5, 0, 0.5, 0.5, 0, 0.5])
    }

    @Test func loneBatchNormDropoutAndUnbiasedLinear() throws {
        let g = try Self.proto(Self.spec([
            LayerSpec(name: "bn", kind: .batchNorm2d, features: 1), LayerSpec(name: "flatten", kind: .flatten),
            LayerSpec(name: "drop", kind: .dropout, p: 0.3), LayerSpec(name: "fc", kind: .linear, in: 64, out: 3, bias: false),
        ])).graph
        #expect(g.nodes.map(\.opType) == ["BatchNormalization", "Flatten", "Gemm"])
        #expect(g.nodes[0].attributes == [.float("epsilon", 1e-5)] && g.nodes[0].inputs.count == 5)
        #expect(g.nodes[2].inputs == ["flatten", "fc.weight"])
    }

    @Test func layerNamesThatCollideWithTheGraphsEndsAreRenamed() throws {
        let g = try Self.proto(Self.spec([
            LayerSpec(name: "input", kind: .relu), LayerSpec(name: "logits", kind: .flatten),
            LayerSpec(name: "fc", kind: .linear, in: 64, out: 2),
        ])).graph
        #expect(g.nodes.map(\.outputs) == [["input_1"], ["logits_1"], ["logits"]])
        #expect(g.nodes.map(\.inputs.first) == ["input", "input_1", "logits_1"])
        let identity = try Self.proto(Self.spec([LayerSpec(name: "d", kind: .dropout)], input: [3, 1, 1])).graph
        #expect(identity.nodes.map(\.opType) == ["Identity"] && identity.nodes[0].outputs == ["logits"])
    }

    /// A layer type the exporter has no lowering for.
    final class Unknown: Layer {
        let name = "custom.3"
        var parameters: [Parameter] { [] }
        func outputShape(for input: [Int]) throws(ArchitectureError) -> [Int] { input }
        func forward(_ x: Tensor, _ context: inout ForwardContext) -> Tensor { x }
        func backward(_ dOutput: Tensor, _ context: BackwardContext) -> Tensor? { dOutput }
    }

    @Test func aLayerWithoutLoweringIsATypedErrorNamingIt() throws {
        let spec = Self.spec([LayerSpec(name: "r", kind: .relu)])
        #expect(throws: ONNXExportError.unsupportedLayer(layer: "custom.3", type: "Unknown")) {
            try ONNXExport.graph([ReLULayer(name: "r"), Unknown()], shapes: [[1, 8, 8], [1, 8, 8], [1, 8, 8]], name: "t",
                                 classes: 64, metadata: ModelMetadata(spec: spec), spec: spec)
        }
        #expect(ONNXExportError.unsupportedLayer(layer: "custom.3", type: "Unknown").description.contains("'custom.3'"))
    }
}
