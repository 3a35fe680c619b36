import Tensor

/// A network built from an `ArchitectureSpec`: layers in order, each in a layer group, with
/// per-layer trainability that takes effect on the next forward pass.
///
/// Freezing semantics (what makes frozen training cheap):
/// - a frozen layer computes no weight gradient and its parameters get `grad = nil`;
/// - layers below the lowest trainable layer store nothing in the forward pass and are not
///   back-propagated through at all;
/// - BatchNorm (and dropout) in a frozen layer run in inference mode: running statistics untouched.
///
/// Tensors at the API are NCHW (input `[N, C, H, W]`, logits `[N, classes]`); inside, feature maps
/// are channel-major (see `Layout`). Not thread-safe: one model per training loop.
public final class Model {
    public private(set) var spec: ArchitectureSpec
    public private(set) var layers: [any Layer]
    /// Group names, first (input side) to last (`head`).
    public let groups: [String]
    /// Group of each layer in `layers`.
    public let layerGroups: [String]
    /// Per-image input shape of each layer; the last entry is the output shape.
    public private(set) var shapes: [[Int]]
    public let workspace = Workspace()

    private var layerTrainable: [Bool]
    /// Source of dropout masks, advanced by every training forward; `reseedDropout` restarts it.
    var dropoutGenerator: SeededGenerator
    /// Layers `[lo, hi)` recorded by the last training forward, which `backward` will visit;
    /// nil after inference or once consumed. `lo` is the lowest trainable layer (or the first
    /// layer run): nothing below it is back-propagated.
    public var recordedRange: Range<Int>? { recordedPlan?.backwardRange }
    /// The plan of the last training forward, walked back by `backward`; nil once consumed.
    var recordedPlan: ExecutionPlan?
    var batchOfRecord = 0
    /// Compiled plans by (layer range, training); emptied whenever trainability changes (`Model+Plan`).
    var plans: [PlanKey: ExecutionPlan] = [:]

    /// Builds the spec's layers with PyTorch-default initialisation drawn from `seed`.
    /// Checks the spec's bounds and size first (`footprint()`), so an untrusted spec is refused
    /// before any layer allocates.
    public init(spec: ArchitectureSpec, seed: UInt64 = 0) throws(ArchitectureError) {
        _ = try spec.footprint()
        self.spec = spec
        layerGroups = try spec.resolvedGroups()
        groups = spec.groups
        var g = SeededGenerator(seed: seed)
        var built: [any Layer] = []
        for l in spec.layers { built.append(try l.makeLayer(generator: &g)) }
        layers = built
        guard spec.inputShape.count == 3, spec.inputShape.allSatisfy({ $0 > 0 }) else {
            throw .invalidSpec("inputShape must be [C, H, W], got \(spec.inputShape)")
        }
        var s = [spec.inputShape]
        for layer in built { s.append(try layer.outputShape(for: s.last!)) }
        shapes = s
        layerTrainable = Array(repeating: true, count: built.count)
        dropoutGenerator = SeededGenerator(seed: seed &+ 0x5EED)
        for (i, layer) in built.enumerated() { for p in layer.parameters { p.group = layerGroups[i] } }
    }

    /// Restarts the dropout mask stream. The trainer reseeds at every epoch start from (job seed,
    /// epoch), so a run resumed from an epoch-end checkpoint draws the masks an uninterrupted run draws.
    public func reseedDropout(_ seed: UInt64) {
        dropoutGenerator = SeededGenerator(seed: seed)
    }

    /// A built-in architecture by name (`BuiltinArchitectures.names`).
    public convenience init(architecture: String, classes: Int? = nil, seed: UInt64 = 0) throws(ArchitectureError) {
        try self.init(spec: BuiltinArchitectures.spec(named: architecture, classes: classes), seed: seed)
    }

    /// Number of classes the head produces.
    public var classes: Int { shapes.last!.reduce(1, *) }

    // MARK: Parameters

    /// Every parameter in state-dict order.
    public var parameters: [Parameter] { layers.flatMap(\.parameters) }
    public var buffers: [Buffer] { layers.flatMap(\.buffers) }

    public func parameters(inGroup group: String) throws(ArchitectureError) -> [Parameter] {
        guard groups.contains(group) else { throw .unknownGroup(group) }
        return layers.indices.filter { layerGroups[$0] == group }.flatMap { layers[$0].parameters }
    }

    // MARK: Freezing

    /// Freezes or unfreezes every layer of `group`; effective on the next forward.
    public func setTrainable(group: String, _ trainable: Bool) throws(ArchitectureError) {
        guard groups.contains(group) else { throw .unknownGroup(group) }
        for i in layers.indices where layerGroups[i] == group { setTrainable(index: i, trainable) }
    }

    /// Freezes or unfreezes one layer by its spec name (`features.3`, `layer2.1`, `fc`).
    public func setTrainable(layer name: String, _ trainable: Bool) throws(ArchitectureError) {
        guard let i = layers.firstIndex(where: { $0.name == name }) else { throw .unknownLayer(name) }
        setTrainable(index: i, trainable)
    }

    /// Freezes every group before `group` and unfreezes `group` and all after it (fastai's `freeze_to`).
    public func freeze(below group: String) throws(ArchitectureError) {
        guard let k = groups.firstIndex(of: group) else { throw .unknownGroup(group) }
        for (j, g) in groups.enumerated() { try setTrainable(group: g, j >= k) }
    }

    public func isTrainable(layer name: String) throws(ArchitectureError) -> Bool {
        guard let i = layers.firstIndex(where: { $0.name == name }) else { throw .unknownLayer(name) }
        return layerTrainable[i]
    }

    public func isTrainable(group: String) throws(ArchitectureError) -> Bool {
        guard groups.contains(group) else { throw .unknownGroup(group) }
        return layers.indices.contains { layerGroups[$0] == group && layerTrainable[$0] }
    }

    func isTrainableIndex(_ i: Int) -> Bool { layerTrainable[i] }

    private func setTrainable(index i: Int, _ trainable: Bool) {
        setLayerTrainable(i, trainable)
        for p in layers[i].parameters {
            p.trainable = trainable
            if !trainable { p.grad = nil }
        }
    }

    /// Layer modes (and so the compiled plans) follow `layerTrainable` alone; re-applying the same
    /// trainability, as the trainer does at every phase and epoch boundary, keeps the plans.
    private func setLayerTrainable(_ i: Int, _ trainable: Bool) {
        guard layerTrainable[i] != trainable else { return }
        layerTrainable[i] = trainable
        invalidatePlans()
    }

    /// fastai's `train_bn` for a frozen layer: only its BatchNorm parameters train (also the ones
    /// inside a residual block), and its BatchNorm runs on batch statistics; every other parameter of
    /// the layer stays frozen (no weight gradient). A layer without BatchNorm is simply frozen.
    /// Back-propagation then reaches down to the lowest such layer — the cost of this policy.
    public func setBatchNormOnlyTrainable(layer name: String) throws(ArchitectureError) {
        guard let i = layers.firstIndex(where: { $0.name == name }) else { throw .unknownLayer(name) }
        let batchNorm = Set(Self.batchNormParameters(of: layers[i]).map(ObjectIdentifier.init))
        setLayerTrainable(i, !batchNorm.isEmpty)
        for p in layers[i].parameters {
            p.trainable = batchNorm.contains(ObjectIdentifier(p))
            if !p.trainable { p.grad = nil }
        }
    }

    /// The BatchNorm affine parameters of a layer, including those nested in a residual block.
    public static func batchNormParameters(of layer: any Layer) -> [Parameter] {
        switch layer {
        case let bn as BatchNorm2dLayer: bn.parameters
        case let block as BasicBlockLayer:
            block.bn1.parameters + block.bn2.parameters + (block.downsample?.bn.parameters ?? [])
        case let block as BottleneckLayer: block.batchNorms.flatMap(\.parameters)
        default: []
        }
    }

    /// Index of the lowest layer with trainable parameters: back-propagation stops there.
    public var lowestTrainableLayer: Int? {
        layers.indices.first { layerTrainable[$0] && !layers[$0].parameters.isEmpty }
    }

    /// Index of the first layer of `group`.
    public func firstLayer(of group: String) throws(ArchitectureError) -> Int {
        guard let i = layerGroups.firstIndex(of: group) else { throw .unknownGroup(group) }
        return i
    }

    // MARK: Head

    /// Replaces the last Linear layer of the `head` group with a fresh `classes`-way Linear
    /// (PyTorch default init from `seed`), trainable; the spec is updated to match.
    public func replaceHead(classes: Int, seed: UInt64) throws(ArchitectureError) {
        guard ArchitectureLimits.width.contains(classes) else {
            throw .invalidSpec("classes must be \(ArchitectureLimits.describe(ArchitectureLimits.width)), got \(classes)")
        }
        let head = groups.last!
        guard let i = layers.indices.last(where: { layerGroups[$0] == head && layers[$0] is LinearLayer }),
              let old = layers[i] as? LinearLayer else {
            throw .invalidLayer(layer: head, reason: "head group has no linear layer")
        }
        var g = SeededGenerator(seed: seed)
        let fresh = LinearLayer(name: old.name, inFeatures: old.inFeatures, outFeatures: classes,
                                bias: old.bias != nil, generator: &g)
        for p in fresh.parameters { p.group = head }
        layers[i] = fresh
        // Plans hold the layers themselves; the old head's recorded pass cannot be back-propagated.
        invalidatePlans()
        recordedPlan = nil
        spec.layers[i].out = classes
        shapes[i + 1] = [classes]
        for j in (i + 1)..<layers.count { shapes[j + 1] = try layers[j].outputShape(for: shapes[j]) }
        setTrainable(index: i, true)
    }
}
