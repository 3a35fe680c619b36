/// One named layer of an `ArchitectureSpec`, as JSON:
/// `{"name": "features.0", "kind": "conv2d", "group": "block1", "in": 1, "out": 32, "kernel": 3,
///   "stride": 1, "padding": 1, "bias": false}`. Kinds are snake_case; the camelCase names of
/// earlier builds (`batchNorm2d`) are still read (`ArchitectureSpec+Coding.swift`).
///
/// Per-kind keys and defaults:
/// - `conv2d`: in, out, kernel (required); stride 1, padding 0, bias true
/// - `batch_norm2d`: features (required); eps 1e-5, momentum 0.1
/// - `relu`, `flatten`: none
/// - `max_pool2d`, `avg_pool2d`: kernel (required); stride = kernel, padding 0
/// - `adaptive_avg_pool2d`: output 1 (= global average pooling)
/// - `linear`: in, out (required); bias true
/// - `dropout`: p 0.5
/// - `basic_block`: in, out (required); stride 1 (torchvision's `BasicBlock`)
/// - `bottleneck`: in, out (required); width out/4, stride 1 (torchvision's `Bottleneck`)
/// `group` defaults to the previous layer's group (parameter-less layers follow the layer before).
public struct LayerSpec: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case conv2d, relu, flatten, linear, dropout, bottleneck
        case batchNorm2d = "batch_norm2d", maxPool2d = "max_pool2d", avgPool2d = "avg_pool2d"
        case adaptiveAvgPool2d = "adaptive_avg_pool2d", basicBlock = "basic_block"
    }

    public var name: String
    public var kind: Kind
    public var group: String?
    public var `in`: Int?
    public var out: Int?
    /// Bottleneck only: channels of its inner 3x3 convolution.
    public var width: Int?
    public var kernel: Int?
    public var stride: Int?
    public var padding: Int?
    public var bias: Bool?
    public var features: Int?
    public var output: Int?
    public var p: Double?

    public init(name: String, kind: Kind, group: String? = nil, in: Int? = nil, out: Int? = nil, kernel: Int? = nil,
                stride: Int? = nil, padding: Int? = nil, bias: Bool? = nil, features: Int? = nil,
                output: Int? = nil, p: Double? = nil, width: Int? = nil) {
        self.name = name
        self.kind = kind
        self.group = group
        self.in = `in`
        self.out = out
        self.width = width
        (self.kernel, self.stride, self.padding, self.bias) = (kernel, stride, padding, bias)
        (self.features, self.output, self.p) = (features, output, p)
    }

    static func conv(_ name: String, _ cin: Int, _ cout: Int, kernel: Int = 3, stride: Int = 1, padding: Int = 1,
                     bias: Bool = false, group: String? = nil) -> LayerSpec {
        LayerSpec(name: name, kind: .conv2d, group: group, in: cin, out: cout, kernel: kernel, stride: stride,
                  padding: padding, bias: bias)
    }

    static func bn(_ name: String, _ c: Int) -> LayerSpec { LayerSpec(name: name, kind: .batchNorm2d, features: c) }
    static func relu(_ name: String) -> LayerSpec { LayerSpec(name: name, kind: .relu) }

    /// Builds the layer, or says which key is missing or out of range.
    func makeLayer(generator: inout SeededGenerator) throws(ArchitectureError) -> any Layer {
        func need(_ v: Int?, _ key: String) throws(ArchitectureError) -> Int {
            guard let v else { throw .invalidLayer(layer: name, reason: "\(kind.rawValue) needs '\(key)'") }
            guard v > 0 else { throw .invalidLayer(layer: name, reason: "'\(key)' must be positive, got \(v)") }
            return v
        }
        let stride = self.stride ?? 1, padding = self.padding ?? 0
        guard stride > 0 else { throw .invalidLayer(layer: name, reason: "'stride' must be positive, got \(stride)") }
        guard padding >= 0 else { throw .invalidLayer(layer: name, reason: "'padding' must be >= 0, got \(padding)") }
        switch kind {
        case .conv2d:
            return Conv2dLayer(name: name, inChannels: try need(self.in, "in"), outChannels: try need(out, "out"),
                               kernel: try need(kernel, "kernel"), stride: stride, padding: padding,
                               bias: bias ?? true, generator: &generator)
        case .batchNorm2d:
            return BatchNorm2dLayer(name: name, channels: try need(features, "features"))
        case .relu:
            return ReLULayer(name: name)
        case .maxPool2d:
            let k = try need(kernel, "kernel")
            return MaxPool2dLayer(name: name, kernel: k, stride: self.stride ?? k, padding: padding)
        case .avgPool2d:
            let k = try need(kernel, "kernel")
            return AvgPool2dLayer(name: name, kernel: k, stride: self.stride ?? k, padding: padding)
        case .adaptiveAvgPool2d:
            return AdaptiveAvgPool2dLayer(name: name, output: try need(output ?? 1, "output"))
        case .flatten:
            return FlattenLayer(name: name)
        case .linear:
            return LinearLayer(name: name, inFeatures: try need(self.in, "in"), outFeatures: try need(out, "out"),
                               bias: bias ?? true, generator: &generator)
        case .dropout:
            return DropoutLayer(name: name, p: Float(p ?? 0.5))
        case .basicBlock:
            return BasicBlockLayer(name: name, inChannels: try need(self.in, "in"), outChannels: try need(out, "out"),
                                   stride: stride, generator: &generator)
        case .bottleneck:
            let out = try need(out, "out")
            return BottleneckLayer(name: name, inChannels: try need(self.in, "in"), width: try need(width ?? out / 4, "width"),
                                   outChannels: out, stride: stride, generator: &generator)
        }
    }
}

import Tensor
