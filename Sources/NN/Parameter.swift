import Tensor

/// A trainable tensor, its gradient and its place in the model. Reference type so that layers,
/// the model and the optimizer all see the same value; optimizers key their state by `name`.
public final class Parameter {
    /// Full PyTorch state-dict name, e.g. `layer1.0.conv1.weight`.
    public let name: String
    public var value: Tensor
    /// Gradient of the mean loss from the last `backward`; nil when frozen or not yet computed.
    public var grad: Tensor?
    /// Frozen parameters get no gradient and optimizers skip them (state kept as is).
    public var trainable: Bool = true
    /// Layer group (`stem`, `layer1`, …, `head`); set by `Model`.
    public internal(set) var group: String = ""

    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value
    }
}

/// Non-trainable named state (BatchNorm running mean/var, `num_batches_tracked`).
public final class Buffer {
    public let name: String
    public var value: Tensor
    /// Stored as I64 in safetensors (`num_batches_tracked`); kept as exact small integers in float.
    public let isInteger: Bool

    public init(name: String, value: Tensor, isInteger: Bool = false) {
        self.name = name
        self.value = value
        self.isInteger = isInteger
    }
}
