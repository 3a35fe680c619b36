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
