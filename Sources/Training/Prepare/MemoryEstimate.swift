import JobAPI
import NN

/// The memory a model or a job will need, estimated from the spec before anything is allocated, so
/// the daemon can refuse what would not fit (`--max-job-memory`) rather than be killed trying.
///
/// float32 throughout (4 bytes an element), P parameters (`ModelFootprint.parameters`):
/// - weights 4P and their gradients 4P;
/// - optimizer state: Adam / AdamW 8P (two moments), SGD 4P (momentum), and for a model being
///   registered 8P (the AdamW default any job on it gets), plus 4P for the encoded file it is written as;
/// - activations (jobs only): 2 x batch x the per-image stored activations (the forward's outputs
///   and the gradients flowing back through them), plus batch x the largest im2col workspace.
/// Saturating arithmetic: an estimate too large for 64 bits reads as `Int.max`, which no limit admits.
public struct MemoryEstimate: Sendable, Equatable {
    /// The weights (4P), and for a registration the encoded file beside them (8P).
    public var weights: Int
    public var gradients: Int
    public var optimizerState: Int
    public var activations: Int

    public var total: Int { Self.sum([weights, gradients, optimizerState, activations]) }

    /// A model being registered: weights and their encoded copy, gradients, AdamW's state.
    public static func model(_ footprint: ModelFootprint) -> MemoryEstimate {
        let p = footprint.parameters
        return MemoryEstimate(weights: mul(8, p), gradients: mul(4, p), optimizerState: mul(8, p), activations: 0)
    }

    /// A training or LR-finder job on a model of `footprint` at `batchSize`.
    public static func job(_ footprint: ModelFootprint, batchSize: Int, optimizer: OptimizerSpec.Kind) -> MemoryEstimate {
        let p = footprint.parameters
        let state = optimizer == .sgd ? mul(4, p) : mul(8, p)
        let stored = mul(mul(2, batchSize), footprint.activationsPerImage)
        let workspace = mul(batchSize, footprint.workspacePerImage)
        return MemoryEstimate(weights: mul(4, p), gradients: mul(4, p), optimizerState: state,
                              activations: mul(4, sum([stored, workspace])))
    }

    /// Nil when within `limit` bytes; otherwise the sentence a 422 gives, stating both.
    public func problem(limit: Int, what: String) -> String? {
        guard total > limit else { return nil }
        return "\(what) needs an estimated \(Self.format(total)) (weights \(Self.format(weights)), "
            + "gradients \(Self.format(gradients)), optimizer state \(Self.format(optimizerState)), "
            + "activations \(Self.format(activations))), "
            + "over this server's limit of \(Self.format(limit)) (--max-job-memory)"
    }

    /// Bytes in binary units, "1.5 GiB".
    public static func format(_ bytes: Int) -> String {
        if bytes == Int.max { return "more than 8 EiB" }
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) bytes" : "\((value * 10).rounded() / 10) \(units[unit])"
    }

    static func mul(_ a: Int, _ b: Int) -> Int { CheckedSize.mul(a, b) ?? Int.max }
    static func sum(_ values: [Int]) -> Int { values.reduce(0) { CheckedSize.add($0, $1) ?? Int.max } }
}

extension JobSpec {
    /// The job's estimate on `architecture` with its head resized to `classes` (when known): the
    /// footprint's bounds are checked on the way, so an unbuildable spec throws rather than traps.
    public func memoryEstimate(on architecture: ArchitectureSpec, classes: Int?) throws(ArchitectureError) -> MemoryEstimate {
        let spec = classes.map { architecture.replacingHead(classes: $0) } ?? architecture
        return MemoryEstimate.job(try spec.footprint(), batchSize: batchSize, optimizer: optimizer.kind)
    }
}
