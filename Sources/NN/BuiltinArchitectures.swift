/// The architectures Thaw ships, with PyTorch's state-dict names and layer groups
/// (docs/architecture.md, "Built-in networks", has small-cnn and resnet-mini with their PyTorch modules;
/// resnet18/34/50 and vgg16 are torchvision's).
public enum BuiltinArchitectures {
    public static let names = ["small-cnn", "resnet-mini", "resnet18", "resnet34", "resnet50", "vgg16"]

    /// Fashion-MNIST normalisation used by the 1x28x28 nets; ImageNet's for the torchvision ones.
    static let fashionMean = [0.2860], fashionStd = [0.3530]
    static let imagenetMean = [0.485, 0.456, 0.406], imagenetStd = [0.229, 0.224, 0.225]

    public static func spec(named name: String, classes: Int? = nil) throws(ArchitectureError) -> ArchitectureSpec {
        switch name {
        case "small-cnn": return smallCNN(classes: classes ?? 10)
        case "resnet-mini": return resnetMini(classes: classes ?? 10)
        case "resnet18": return resnet18(classes: classes ?? 1000)
        case "resnet34": return resnet34(classes: classes ?? 1000)
        case "resnet50": return resnet50(classes: classes ?? 1000)
        case "vgg16": return vgg16(classes: classes ?? 1000)
        default: throw .unknownArchitecture(name)
        }
    }

    /// block1 = features.0–6, block2 = features.7–13 (pools follow their block), head = fc.
    public static func smallCNN(classes: Int = 10) -> ArchitectureSpec {
        var layers: [LayerSpec] = []
        var i = 0
        for (block, widths) in [("block1", [(1, 32), (32, 32)]), ("block2", [(32, 64), (64, 64)])] {
            for (k, (cin, cout)) in widths.enumerated() {
                layers.append(.conv("features.\(i)", cin, cout, group: k == 0 ? block : nil))
                layers.append(.bn("features.\(i + 1)", cout))
                layers.append(.relu("features.\(i + 2)"))
                i += 3
            }
            layers.append(LayerSpec(name: "features.\(i)", kind: .maxPool2d, kernel: 2, stride: 2))
            i += 1
        }
        layers += [LayerSpec(name: "pool", kind: .adaptiveAvgPool2d, output: 1), LayerSpec(name: "flatten", kind: .flatten),
                   LayerSpec(name: "fc", kind: .linear, group: "head", in: 64, out: classes)]
        return ArchitectureSpec(name: "small-cnn", inputShape: [1, 28, 28], groups: ["block1", "block2", "head"],
                                layers: layers, mean: fashionMean, std: fashionStd)
    }

    /// stem = conv1/bn1/relu, layer1–3 = two BasicBlocks each (16, 32, 64 wide), head = fc.
    public static func resnetMini(classes: Int = 10) -> ArchitectureSpec {
        var layers: [LayerSpec] = [.conv("conv1", 1, 16, group: "stem"), .bn("bn1", 16), .relu("relu")]
        layers += stages([16, 32, 64], blocks: [2, 2, 2], stem: 16, bottleneck: false)
        layers += [LayerSpec(name: "avgpool", kind: .adaptiveAvgPool2d, output: 1), LayerSpec(name: "flatten", kind: .flatten),
                   LayerSpec(name: "fc", kind: .linear, group: "head", in: 64, out: classes)]
        return ArchitectureSpec(name: "resnet-mini", inputShape: [1, 28, 28],
                                groups: ["stem", "layer1", "layer2", "layer3", "head"], layers: layers,
                                mean: fashionMean, std: fashionStd)
    }

    /// torchvision resnet18: 7x7/2 stem + 3x3/2 max pool, BasicBlock stages 64/128/256/512 (2, 2, 2, 2
    /// blocks), head = fc. Groups as fastai splits a ResNet body: stem, layer1–layer4, head.
    public static func resnet18(classes: Int = 1000) -> ArchitectureSpec {
        torchvisionResNet("resnet18", blocks: [2, 2, 2, 2], bottleneck: false, classes: classes)
    }

    /// torchvision resnet34: as resnet18 with 3, 4, 6, 3 BasicBlocks.
    public static func resnet34(classes: Int = 1000) -> ArchitectureSpec {
        torchvisionResNet("resnet34", blocks: [3, 4, 6, 3], bottleneck: false, classes: classes)
    }

    /// torchvision resnet50: 3, 4, 6, 3 Bottleneck blocks (widths 64/128/256/512, outputs 4x that;
    /// stride in the 3x3), head = fc on 2048 features.
    public static func resnet50(classes: Int = 1000) -> ArchitectureSpec {
        torchvisionResNet("resnet50", blocks: [3, 4, 6, 3], bottleneck: true, classes: classes)
    }

    /// Input shape [3, 224, 224] is only the default: the adaptive average pool makes any H, W ≥ 32
    /// work (a job sets its own with `input_size`).
    static func torchvisionResNet(_ name: String, blocks: [Int], bottleneck: Bool, classes: Int) -> ArchitectureSpec {
        var layers: [LayerSpec] = [.conv("conv1", 3, 64, kernel: 7, stride: 2, padding: 3, group: "stem"), .bn("bn1", 64),
                                   .relu("relu"), LayerSpec(name: "maxpool", kind: .maxPool2d, kernel: 3, stride: 2, padding: 1)]
        layers += stages([64, 128, 256, 512], blocks: blocks, stem: 64, bottleneck: bottleneck)
        let features = bottleneck ? 2048 : 512
        layers += [LayerSpec(name: "avgpool", kind: .adaptiveAvgPool2d, output: 1), LayerSpec(name: "flatten", kind: .flatten),
                   LayerSpec(name: "fc", kind: .linear, group: "head", in: features, out: classes)]
        return ArchitectureSpec(name: name, inputShape: [3, 224, 224],
                                groups: ["stem", "layer1", "layer2", "layer3", "layer4", "head"], layers: layers,
                                mean: imagenetMean, std: imagenetStd)
    }

    /// torchvision vgg16 (no BN): block1–5 = features up to each max pool, classifier = the two
    /// hidden Linear+ReLU+Dropout, head = classifier.6.
    public static func vgg16(classes: Int = 1000) -> ArchitectureSpec {
        let cfg: [[Int]] = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]
        var layers: [LayerSpec] = []
        var (i, cin) = (0, 3)
        for (b, widths) in cfg.enumerated() {
            for (k, w) in widths.enumerated() {
                layers.append(.conv("features.\(i)", cin, w, bias: true, group: k == 0 ? "block\(b + 1)" : nil))
                layers.append(.relu("features.\(i + 1)"))
                (i, cin) = (i + 2, w)
            }
            layers.append(LayerSpec(name: "features.\(i)", kind: .maxPool2d, kernel: 2, stride: 2))
            i += 1
        }
        layers += [
            LayerSpec(name: "avgpool", kind: .adaptiveAvgPool2d, output: 7), LayerSpec(name: "flatten", kind: .flatten),
            LayerSpec(name: "classifier.0", kind: .linear, group: "classifier", in: 512 * 7 * 7, out: 4096),
            .relu("classifier.1"), LayerSpec(name: "classifier.2", kind: .dropout, p: 0.5),
            LayerSpec(name: "classifier.3", kind: .linear, in: 4096, out: 4096),
            .relu("classifier.4"), LayerSpec(name: "classifier.5", kind: .dropout, p: 0.5),
            LayerSpec(name: "classifier.6", kind: .linear, group: "head", in: 4096, out: classes),
        ]
        return ArchitectureSpec(name: "vgg16", inputShape: [3, 224, 224],
                                groups: ["block1", "block2", "block3", "block4", "block5", "classifier", "head"],
                                layers: layers, mean: imagenetMean, std: imagenetStd)
    }

    /// `layer1 … layerK` of torchvision-style blocks, `blocks[k]` in stage k; every stage after the
    /// first halves H, W (in its first block). A Bottleneck stage of width w outputs 4·w channels.
    static func stages(_ widths: [Int], blocks: [Int], stem: Int, bottleneck: Bool) -> [LayerSpec] {
        var layers: [LayerSpec] = []
        var cin = stem
        for (s, w) in widths.enumerated() {
            let out = bottleneck ? 4 * w : w
            for b in 0..<blocks[s] {
                let stride = (s > 0 && b == 0) ? 2 : 1
                layers.append(LayerSpec(name: "layer\(s + 1).\(b)", kind: bottleneck ? .bottleneck : .basicBlock,
                                        group: b == 0 ? "layer\(s + 1)" : nil, in: cin, out: out, stride: stride,
                                        width: bottleneck ? w : nil))
                cin = out
            }
        }
        return layers
    }
}
