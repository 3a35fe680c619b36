import Tensor

/// One layer of the engine. Feature maps flow through layers channel-major, shape (C,N,H,W)
/// (see `Layout`); flat activations are (N,F). Each layer owns what its backward needs and
/// drops it when the forward pass is not recorded.
public protocol Layer: AnyObject {
    /// State-dict prefix, e.g. `features.0` or `layer1.0`.
    var name: String { get }
    /// Trainable tensors in state-dict order, named in full (`layer1.0.conv1.weight`).
    var parameters: [Parameter] { get }
    /// Non-trainable state in state-dict order (BatchNorm running statistics).
    var buffers: [Buffer] { get }
    /// Per-image output shape ((C,H,W) or (F)) for a per-image input shape, or why it is invalid.
    func outputShape(for input: [Int]) throws(ArchitectureError) -> [Int]
    /// `context.mode` says whether this layer trains on this pass (BatchNorm batch statistics,
    /// dropout active) and whether it must keep what `backward` needs.
    func forward(_ x: Tensor, _ context: inout ForwardContext) -> Tensor
    /// Gradient of the last recorded forward. Writes `grad` of every trainable parameter (frozen
    /// ones get none); returns dInput only when `needsInputGradient`.
    func backward(_ dOutput: Tensor, _ context: BackwardContext) -> Tensor?
}

extension Layer {
    public var buffers: [Buffer] { [] }
    /// True when any parameter is trainable (a parameter-less layer never is).
    public var hasTrainableParameters: Bool { parameters.contains { $0.trainable } }
}

/// How one layer runs on one forward pass.
public struct ForwardContext {
    /// Training behaviour for this layer: BatchNorm uses and updates batch statistics, dropout drops.
    public var training: Bool
    /// Keep inputs/masks for a following `backward`; false on inference and for layers below the
    /// lowest trainable one, so a frozen body stores nothing.
    public var recordForBackward: Bool
    public let workspace: Workspace
    /// Source of dropout masks; advanced only by dropout layers in training mode.
    public var generator: SeededGenerator

    public init(training: Bool, recordForBackward: Bool, workspace: Workspace, generator: SeededGenerator) {
        self.training = training
        self.recordForBackward = recordForBackward
        self.workspace = workspace
        self.generator = generator
    }
}

/// What one layer's backward must produce.
public struct BackwardContext {
    /// False for the lowest layer that is back-propagated through: nothing below needs dInput.
    public var needsInputGradient: Bool
    public let workspace: Workspace

    public init(needsInputGradient: Bool, workspace: Workspace) {
        self.needsInputGradient = needsInputGradient
        self.workspace = workspace
    }
}
