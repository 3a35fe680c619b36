import Tensor

/// Element types Thaw reads from safetensors. Floats are widened to float32 on read; I64 holds
/// integer buffers such as `num_batches_tracked`.
public enum TensorDType: String, Sendable, Equatable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16", i64 = "I64"

    public var byteWidth: Int {
        switch self {
        case .f32: 4
        case .f16, .bf16: 2
        case .i64: 8
        }
    }

    public var isFloatingPoint: Bool { self != .i64 }
}

/// One named tensor, with the dtype it had on disk (or is to be written as).
public struct NamedTensor: Sendable, Equatable {
    public var name: String
    public var tensor: Tensor
    public var dtype: TensorDType

    public init(name: String, tensor: Tensor, dtype: TensorDType = .f32) {
        self.name = name
        self.tensor = tensor
        self.dtype = dtype
    }
}

/// Named tensors in order: a PyTorch-style state dict, an optimizer state, a golden file.
public struct StateDict: Sendable, Equatable {
    public var entries: [NamedTensor]

    public init(_ entries: [NamedTensor] = []) { self.entries = entries }

    public var keys: [String] { entries.map(\.name) }

    public subscript(name: String) -> NamedTensor? {
        entries.first { $0.name == name }
    }

    /// Lookup table (last entry wins on duplicate names).
    public var byName: [String: NamedTensor] {
        Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { _, b in b })
    }

    public mutating func append(_ name: String, _ tensor: Tensor, dtype: TensorDType = .f32) {
        entries.append(NamedTensor(name: name, tensor: tensor, dtype: dtype))
    }

    public static func + (a: StateDict, b: StateDict) -> StateDict { StateDict(a.entries + b.entries) }
}
