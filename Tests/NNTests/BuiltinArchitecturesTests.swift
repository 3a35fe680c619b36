import Foundation
import NN
import Tensor
import Testing

/// The shipped architectures: parameter counts, PyTorch state-dict names, groups, JSON specs.
@Suite struct BuiltinArchitecturesTests {
    static func parameterCount(_ m: Model) -> Int { m.parameters.reduce(0) { $0 + $1.value.count } }

    @Test func smallCNNMatchesTheBenchDefinition() throws {
        let m = try Model(architecture: "small-cnn")
        #expect(Self.parameterCount(m) == 65_834)
        #expect(m.groups == ["block1", "block2", "head"])
        #expect(try m.parameters(inGroup: "block1").map(\.name)
            == ["features.0.weight", "features.1.weight", "features.1.bias", "features.3.weight", "features.4.weight", "features.4.bias"])
        #expect(try m.parameters(inGroup: "head").map(\.name) == ["fc.weight", "fc.bias"])
        #expect(m.stateDict().keys.count == 4 * 1 + 4 * 5 + 2)
        #expect(m.shapes[try m.firstLayer(of: "head")] == [64])
    }

    @Test func resnetMiniMatchesTheBenchDefinition() throws {
        let m = try Model(architecture: "resnet-mini")
        #expect(Self.parameterCount(m) == 174_970)
        #expect(m.groups == ["stem", "layer1", "layer2", "layer3", "head"])
        let keys = Set(m.stateDict().keys)
        for k in ["conv1.weight", "bn1.num_batches_tracked", "layer1.1.bn2.running_var", "layer2.0.downsample.0.weight",
                  "layer3.0.downsample.1.running_mean", "fc.bias"] {
            #expect(keys.contains(k), "\(k)")
        }
        #expect(!keys.contains("layer1.0.downsample.0.weight"))
    }

    @Test func resnet18MatchesTorchvision() throws {
        let m = try Model(architecture: "resnet18")
        #expect(Self.parameterCount(m) == 11_689_512)
        #expect(m.stateDict().keys.count == 122)
        #expect(m.shapes[try m.firstLayer(of: "layer1")] == [64, 56, 56])
        #expect(m.shapes.last == [1000])
    }

    /// Counts and key totals as torchvision 0.28's resnet34 / resnet50 (Tests/Fixtures/resnets/torchvision_resnet.py).
    @Test func resnet34MatchesTorchvision() throws {
        let m = try Model(architecture: "resnet34")
        #expect(Self.parameterCount(m) == 21_797_672)
        #expect(m.stateDict().keys.count == 218)
        #expect(m.groups == ["stem", "layer1", "layer2", "layer3", "layer4", "head"])
        #expect(try m.parameters(inGroup: "layer3").count == 6 * 6 + 3)
    }

    @Test func resnet50MatchesTorchvision() throws {
        let m = try Model(architecture: "resnet50")
        #expect(Self.parameterCount(m) == 25_557_032)
        #expect(m.stateDict().keys.count == 320)
        #expect(m.shapes[try m.firstLayer(of: "layer2")] == [256, 56, 56])
        #expect(m.shapes[try m.firstLayer(of: "head")] == [2048])
        let keys = Set(m.stateDict().keys)
        for k in ["layer1.0.downsample.0.weight", "layer1.0.conv3.weight", "layer4.2.bn3.running_var",
                  "layer3.5.bn2.num_batches_tracked", "fc.weight"] {
            #expect(keys.contains(k), "\(k)")
        }
        #expect(!keys.contains("layer1.1.downsample.0.weight"))
        let conv2 = try #require(m.stateDict()["layer2.0.conv2.weight"])
        #expect(conv2.tensor.shape == [128, 128, 3, 3])
    }

    /// These nets pool adaptively: the same layers take any input size.
    @Test func resnetsTakeOtherInputSizes() throws {
        for name in ["resnet18", "resnet50"] {
            var spec = try BuiltinArchitectures.spec(named: name, classes: 5)
            spec.inputShape = [3, 64, 48]
            let m = try Model(spec: spec)
            #expect(m.shapes[try m.firstLayer(of: "layer1")] == [64, 16, 12])
            let logits = try m.forward(Tensor(shape: [1, 3, 64, 48], storage: [Float](repeating: 0.5, count: 3 * 64 * 48)),
                                       training: false)
            #expect(logits.shape == [1, 5])
        }
    }

    @Test func vgg16SpecMatchesTorchvisionShapes() throws {
        let spec = BuiltinArchitectures.vgg16()
        #expect(spec.layers.filter { $0.kind == .conv2d }.count == 13)
        #expect(spec.layers.last!.name == "classifier.6")
        #expect(spec.layers.first { $0.name == "features.28" }?.kind == .conv2d)
        #expect(try spec.resolvedGroups().last == "head")
        // Parameter count from the spec alone (building allocates 528 MiB).
        var count = 0
        for l in spec.layers where l.kind == .conv2d { count += l.out! * (l.in! * 9 + 1) }
        for l in spec.layers where l.kind == .linear { count += l.out! * (l.in! + 1) }
        #expect(count == 138_357_544)
    }

    @Test func specRoundTripsThroughJSON() throws {
        for name in BuiltinArchitectures.names {
            let spec = try BuiltinArchitectures.spec(named: name)
            #expect(try ArchitectureSpec.decode(json: spec.jsonString()) == spec)
        }
    }

    @Test func specJSONIsSnakeCase() throws {
        let json = BuiltinArchitectures.resnet50().jsonString()
        #expect(json.contains("\"input_shape\":[3,224,224]"))
        #expect(json.contains("\"kind\":\"batch_norm2d\""))
        #expect(json.contains("\"kind\":\"bottleneck\""))
        #expect(!json.contains("inputShape"))
    }

    /// Specs written by earlier builds (camelCase keys and kinds) still load.
    @Test func customSpecFromJSONBuilds() throws {
        let json = """
        {"name": "mini", "inputShape": [1, 8, 8], "groups": ["body", "head"], "layers": [
          {"name": "c", "kind": "conv2d", "group": "body", "in": 1, "out": 2, "kernel": 3, "padding": 1},
          {"name": "p", "kind": "avgPool2d", "kernel": 2},
          {"name": "f", "kind": "flatten"},
          {"name": "d", "kind": "dropout", "p": 0.1},
          {"name": "fc", "kind": "linear", "group": "head", "in": 32, "out": 3}]}
        """
        let m = try Model(spec: ArchitectureSpec.decode(json: json))
        #expect(m.classes == 3)
        #expect(m.layerGroups == ["body", "body", "body", "body", "head"])
    }

    @Test func snakeCaseSpecBuilds() throws {
        let json = """
        {"name": "mini", "input_shape": [1, 8, 8], "groups": ["body", "head"], "layers": [
          {"name": "c", "kind": "conv2d", "group": "body", "in": 1, "out": 4, "kernel": 3, "padding": 1},
          {"name": "b", "kind": "batch_norm2d", "features": 4},
          {"name": "blk", "kind": "bottleneck", "in": 4, "out": 8, "width": 2, "stride": 2},
          {"name": "gap", "kind": "adaptive_avg_pool2d"},
          {"name": "f", "kind": "flatten"},
          {"name": "fc", "kind": "linear", "group": "head", "in": 8, "out": 3}]}
        """
        let m = try Model(spec: ArchitectureSpec.decode(json: json))
        #expect(m.classes == 3)
        #expect(m.shapes[3] == [8, 4, 4])
        #expect(m.stateDict().keys.contains("blk.downsample.1.running_mean"))
    }

    /// Each bad spec names the offending field by its JSON path.
    @Test(arguments: [
        (#"{"name": "x", "groups": ["g"], "layers": []}"#, "invalid architecture spec: input_shape: required"),
        (#"{"name": "x", "input_shape": [1, 4, 4], "groups": ["g"], "layers": [{"name": "r", "kind": "conv"}]}"#,
         "invalid architecture spec: layers[0].kind: unknown kind 'conv'; known: conv2d, relu, flatten, linear, dropout, bottleneck, batch_norm2d, max_pool2d, avg_pool2d, adaptive_avg_pool2d, basic_block"),
        (#"{"name": "x", "input_shape": [1, 4, 4], "groups": ["g"], "layers": [{"name": "r", "kind": "relu", "kernal": 3}]}"#,
         "invalid architecture spec: layers[0].kernal: unknown key; allowed: name, kind, group, in, out, width, kernel, stride, padding, bias, features, output, p"),
        (#"{"name": "x", "input_shape": "big", "groups": ["g"], "layers": []}"#,
         "invalid architecture spec: input_shape: expected an array"),
        (#"{"name": "x", "input_shape": [1, 4, 4], "groups": ["g"], "layers": [{"name": "c", "kind": "conv2d", "in": "one"}]}"#,
         "invalid architecture spec: layers[0].in: expected an integer"),
        (#"{"name": "x", "inputshape": [1, 4, 4], "groups": ["g"], "layers": []}"#,
         "invalid architecture spec: inputshape: unknown key; allowed: name, input_shape, groups, layers, mean, std"),
    ])
    func badSpecNamesTheField(json: String, message: String) {
        #expect { try ArchitectureSpec.decode(json: json) } throws: { "\($0)" == message }
    }

    @Test func unknownArchitectureIsAnError() {
        #expect(throws: ArchitectureError.unknownArchitecture("resnet9000")) { try Model(architecture: "resnet9000") }
    }

    @Test func layerMissingARequiredKeyIsNamed() {
        let spec = ArchitectureSpec(name: "bad", inputShape: [1, 4, 4], groups: ["g"],
                                    layers: [LayerSpec(name: "c", kind: .conv2d, in: 1, kernel: 3)])
        #expect(throws: ArchitectureError.invalidLayer(layer: "c", reason: "conv2d needs 'out'")) { try Model(spec: spec) }
    }

    @Test func mismatchedLinearInputIsNamed() {
        let spec = ArchitectureSpec(name: "bad", inputShape: [2, 4, 4], groups: ["g"],
                                    layers: [LayerSpec(name: "f", kind: .flatten), LayerSpec(name: "fc", kind: .linear, in: 31, out: 2)])
        #expect(throws: ArchitectureError.shapeMismatch(layer: "fc", expected: "[31]", got: "[32]")) { try Model(spec: spec) }
    }

    @Test func unknownGroupInALayerIsAnError() {
        let spec = ArchitectureSpec(name: "bad", inputShape: [1, 4, 4], groups: ["g"],
                                    layers: [LayerSpec(name: "r", kind: .relu, group: "nope")])
        #expect(throws: ArchitectureError.unknownGroup("nope")) { try Model(spec: spec) }
    }

    @Test func duplicateLayerNameIsAnError() {
        let spec = ArchitectureSpec(name: "bad", inputShape: [1, 4, 4], groups: ["g"],
                                    layers: [LayerSpec(name: "r", kind: .relu), LayerSpec(name: "r", kind: .relu)])
        #expect(throws: ArchitectureError.invalidLayer(layer: "r", reason: "duplicate layer name")) { try Model(spec: spec) }
    }
}
