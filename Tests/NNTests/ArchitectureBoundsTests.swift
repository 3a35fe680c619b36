import Foundation
import NN
import Testing

/// Issue 14: an architecture spec is untrusted input (`architecture_spec`, a file's `thaw.spec`).
/// Every number has a documented range, sizes are computed with overflow checks, and nothing is
/// allocated before `footprint()` has accepted the spec.
@Suite struct ArchitectureBoundsTests {
    static func linearSpec(in inFeatures: Int, out: Int) -> ArchitectureSpec {
        ArchitectureSpec(name: "huge", inputShape: [1, 1024, 1024], groups: ["head"], layers: [
            LayerSpec(name: "flatten", kind: .flatten),
            LayerSpec(name: "fc", kind: .linear, group: "head", in: inFeatures, out: out),
        ])
    }

    static func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch { return "\(error)" }
        return nil
    }

    /// Used to trap (Swift arithmetic overflow) and kill thawd on `POST /v1/models`.
    @Test func linear4294967296SquaredIsRefusedNotATrap() {
        let spec = Self.linearSpec(in: 4_294_967_296, out: 4_294_967_296)
        let footprint = Self.message { _ = try spec.footprint() }
        #expect(footprint?.contains("'in' must be in 1...1048576, got 4294967296") == true, "\(footprint ?? "accepted")")
        #expect(Self.message { _ = try Model(spec: spec) } == footprint)
    }

    /// The same spec arriving as a file's `thaw.spec` metadata.
    @Test func linear4294967296SquaredFromFileMetadataIsRefused() throws {
        let json = Self.linearSpec(in: 4_294_967_296, out: 4_294_967_296).jsonString()
        let metadata = try ModelMetadata(dictionary: ["thaw.spec": json, "thaw.mean": "[]", "thaw.std": "[]", "thaw.classes": "[]"])
        #expect(Self.message { _ = try Model(spec: metadata.spec) }?.contains("'in' must be in 1...1048576") == true)
    }

    /// At the bounds the sizes still fit in 64 bits: the footprint is exact, and the memory check
    /// (not the allocator) is what refuses it.
    @Test func largestLinearHasAnExactFootprint() throws {
        let f = try Self.linearSpec(in: 1 << 20, out: 1 << 20).footprint()
        #expect(f.parameters == (1 << 40) + (1 << 20))
        #expect(f.outputShape == [1 << 20])
    }

    /// A Bottleneck's width defaults to out/4: a block narrower than 4 channels names the field
    /// instead of building a zero-width convolution.
    @Test func bottleneckNarrowerThanFourChannelsNeedsAWidth() throws {
        let spec = ArchitectureSpec(name: "b", inputShape: [4, 8, 8], groups: ["head"], layers: [
            LayerSpec(name: "block", kind: .bottleneck, group: "head", in: 4, out: 2),
        ])
        #expect(Self.message { _ = try spec.footprint() }?.contains("'width' (default out/4) must be at least 1") == true)
        #expect(Self.message { _ = try Model(spec: spec) } != nil)
    }

    @Test func everyBuiltinFootprintMatchesTheBuiltModel() throws {
        for name in ["small-cnn", "resnet-mini", "resnet18", "resnet34", "resnet50"] {
            let spec = try BuiltinArchitectures.spec(named: name, classes: 7)
            let model = try Model(spec: spec)
            let f = try spec.footprint()
            let elements = model.parameters.reduce(0) { $0 + $1.value.count }
                + model.buffers.filter { !$0.isInteger }.reduce(0) { $0 + $1.value.count }
            #expect(f.parameters == elements, "\(name)")
            #expect(f.outputShape == model.shapes.last, "\(name)")
            #expect(f.activationsPerImage >= model.shapes.dropFirst().reduce(0) { $0 + $1.reduce(1, *) }, "\(name)")
        }
    }

    /// vgg16 is estimated, not built (its weights are half a gigabyte): 138,357,544 parameters as in
    /// torchvision, and a 100000-class head adds 4096 x 99000 + 99000.
    @Test func vgg16FootprintWithoutBuildingIt() throws {
        #expect(try BuiltinArchitectures.vgg16().footprint().parameters == 138_357_544)
        #expect(try BuiltinArchitectures.vgg16(classes: 100_000).footprint().parameters == 138_357_544 + 4096 * 99_000 + 99_000)
    }

    @Test func inputShapeOutOfRange() {
        var spec = BuiltinArchitectures.smallCNN()
        spec.inputShape = [1, 1 << 40, 28]
        #expect(Self.message { _ = try Model(spec: spec) }?.contains("H and W in 1...4096") == true)
    }

    @Test func tooManyLayers() {
        var spec = BuiltinArchitectures.smallCNN()
        spec.layers += (0..<1100).map { LayerSpec(name: "relu.\($0)", kind: .relu) }
        #expect(Self.message { _ = try spec.footprint() }?.contains("layers; in 1...1024 are allowed") == true)
    }

    /// (1 + 0 - 3) / 2 + 1 truncates to 1 in Swift: the kernel-larger-than-input check must not rely on
    /// the output size alone.
    @Test func strideTwoKernelLargerThanInputIsRefused() {
        let spec = ArchitectureSpec(name: "tiny", inputShape: [1, 2, 2], groups: ["head"], layers: [
            LayerSpec(name: "conv", kind: .conv2d, group: "head", in: 1, out: 1, kernel: 3, stride: 2, padding: 0),
        ])
        #expect(Self.message { _ = try spec.footprint() }?.contains("smaller than kernel") == true)
    }

    @Test func kernelStridePaddingAndDropoutBounds() {
        let cases: [(LayerSpec, String)] = [
            (LayerSpec(name: "c", kind: .conv2d, in: 1, out: 1, kernel: 1000), "'kernel' must be in 1...64"),
            (LayerSpec(name: "c", kind: .conv2d, in: 1, out: 1, kernel: 3, stride: 0), "'stride' must be in 1...64"),
            (LayerSpec(name: "c", kind: .conv2d, in: 1, out: 1, kernel: 3, padding: -1), "'padding' must be in 0...64"),
            (LayerSpec(name: "p", kind: .adaptiveAvgPool2d, output: 1 << 30), "'output' must be in 1...1024"),
            (LayerSpec(name: "d", kind: .dropout, p: .infinity), "dropout p must be in [0, 1)"),
        ]
        for (layer, expected) in cases {
            var l = layer
            l.group = "head"
            let spec = ArchitectureSpec(name: "x", inputShape: [1, 8, 8], groups: ["head"], layers: [l])
            let message = Self.message { _ = try Model(spec: spec) }
            #expect(message?.contains(expected) == true, "\(expected): \(message ?? "accepted")")
        }
    }

    @Test func namesCountCodePoints() {
        var spec = BuiltinArchitectures.smallCNN()
        spec.name = String(repeating: "a\u{300}", count: 200)  // 200 characters, 400 code points
        #expect(Self.message { _ = try spec.footprint() }?.contains("name must be 1 to 256 characters") == true)
    }

    /// `models.architecture` is the spec's name: a NUL would make SQLite's length() 0 and fail its CHECK.
    @Test func namesWithControlCharactersAreRefused() {
        var spec = BuiltinArchitectures.smallCNN()
        spec.name = "small\u{0}cnn"
        #expect(Self.message { _ = try spec.footprint() }?.contains("without control characters") == true)
        spec = BuiltinArchitectures.smallCNN()
        spec.layers[0].name = "features.0\n"
        #expect(Self.message { _ = try spec.footprint() }?.contains("without control characters") == true)
    }

    @Test func replacingHeadResizesTheLastLinear() throws {
        let spec = BuiltinArchitectures.smallCNN().replacingHead(classes: 3)
        #expect(try spec.footprint().outputShape == [3])
    }
}
