/// A dense float32 tensor: a shape and row-major (C-contiguous) storage.
///
/// Value semantics (copy-on-write through the backing array) so layers can hand tensors around
/// without aliasing surprises. The engine's public face is NCHW; inside the network, feature maps
/// are kept channel-major (C,N,H,W) — see `Layout` for why and for the conversions.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var storage: [Float]

    /// Element count implied by a shape (1 for a scalar `[]`).
    @inlinable public static func count(of shape: [Int]) -> Int { shape.reduce(1, *) }

    /// `storage.count` must equal the product of `shape`.
    public init(shape: [Int], storage: [Float]) {
        precondition(Tensor.count(of: shape) == storage.count,
                     "Tensor: shape \(shape) needs \(Tensor.count(of: shape)) values, got \(storage.count)")
        self.shape = shape
        self.storage = storage
    }

    /// All elements `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        self.shape = shape
        self.storage = [Float](repeating: value, count: Tensor.count(of: shape))
    }

    /// Storage left uninitialised and filled by `fill`, which must write every element; avoids a
    /// memset of the large activation buffers that kernels overwrite anyway.
    @inlinable
    public init(shape: [Int], unsafeUninitialized fill: (UnsafeMutablePointer<Float>) -> Void) {
        let n = Tensor.count(of: shape)
        self.shape = shape
        self.storage = [Float](unsafeUninitializedCapacity: n) { buffer, initialized in
            if n > 0 { fill(buffer.baseAddress!) }
            initialized = n
        }
    }

    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }

    public var count: Int { storage.count }
    public var rank: Int { shape.count }

    /// Same storage, new shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor { Tensor(shape: newShape, storage: storage) }

    @inlinable
    public func withPointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { try body($0.baseAddress ?? UnsafePointer(bitPattern: 16)!) }
    }

    @inlinable
    public mutating func withMutablePointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer { try body($0.baseAddress ?? UnsafeMutablePointer(bitPattern: 16)!) }
    }

    /// Largest `|a - b|` over all elements; shapes must match.
    public func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(shape == other.shape, "maxAbsDifference: \(shape) vs \(other.shape)")
        var worst: Float = 0
        for i in 0..<storage.count { worst = max(worst, abs(storage[i] - other.storage[i])) }
        return worst
    }

    /// True when every element satisfies `|a - b| <= atol + rtol * |b|` (b = `reference`).
    public func isClose(to reference: Tensor, rtol: Float = 1e-4, atol: Float = 1e-5) -> Bool {
        guard shape == reference.shape else { return false }
        for i in 0..<storage.count where !(abs(storage[i] - reference.storage[i]) <= atol + rtol * abs(reference.storage[i])) {
            return false
        }
        return true
    }
}
