/// What a network will need before any of it is built: parameter count and per-image activation
/// sizes, derived from the spec alone (`ArchitectureSpec.footprint()`), so the daemon can refuse a
/// model or a job that would not fit in memory instead of allocating it.
public struct ModelFootprint: Sendable, Equatable {
    /// Trainable parameters (float32 elements), BatchNorm's running statistics included.
    public var parameters: Int
    /// Sum over layers of each layer's per-image output elements (a residual block counts the maps it
    /// keeps for backward): what a training forward stores per image.
    public var activationsPerImage: Int
    /// The largest per-image im2col matrix of any convolution (elements): the shared workspace.
    public var workspacePerImage: Int
    /// Per-image output shape of the last layer.
    public var outputShape: [Int]

    public init(parameters: Int, activationsPerImage: Int, workspacePerImage: Int, outputShape: [Int]) {
        self.parameters = parameters
        self.activationsPerImage = activationsPerImage
        self.workspacePerImage = workspacePerImage
        self.outputShape = outputShape
    }
}

/// Overflow-checked `Int` arithmetic for sizes computed from untrusted specs: an overflow is a
/// "too large" error, never a trap.
public enum CheckedSize {
    public static func mul(_ a: Int, _ b: Int) -> Int? {
        let (v, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : v
    }

    public static func add(_ a: Int, _ b: Int) -> Int? {
        let (v, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : v
    }

    public static func product(_ values: [Int]) -> Int? {
        var result = 1
        for v in values {
            guard let next = mul(result, v) else { return nil }
            result = next
        }
        return result
    }
}
