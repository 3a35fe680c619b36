/// How one layer runs on one pass: `training` = batch statistics / active dropout, `record` = keep
/// what `backward` needs. Decided per pass by the model (`Model+Plan.swift`).
public struct LayerMode: Equatable, Hashable, Sendable {
    public var training: Bool
    public var record: Bool

    public init(training: Bool, record: Bool) {
        self.training = training
        self.record = record
    }

    /// Running statistics, no dropout, nothing kept: a frozen layer below the lowest trainable one.
    public static let inference = LayerMode(training: false, record: false)
}

/// A model's layers `range` lowered into the ops one pass runs: single layers and neighbours fused
/// into one kernel (`FusionPatterns`). Forward walks `ops` in order; backward walks them in reverse
/// down to `backwardRange.lowerBound`, so both passes see the same grouping by construction.
///
/// A plan is a pure function of the layer list, the range and each layer's `LayerMode`; the model
/// compiles one per (range, training) and drops them all when trainability changes
/// (see `Model+Plan.swift`).
public struct ExecutionPlan {
    public let ops: [FusedOp]
    /// Layers the plan runs, indices into `Model.layers`.
    public let range: Range<Int>
    /// Layers a following `backward` visits: from the lowest recording layer to the logits; nil when
    /// the pass records nothing or stops short of the logits.
    public let backwardRange: Range<Int>?

    /// Greedy, first (input side) to last: at each layer the first pattern of `FusionPatterns.table`
    /// that fits the neighbours inside `range` and their modes wins; otherwise the layer runs alone.
    /// `modes[k]` is the mode of layer `range.lowerBound + k`.
    static func compile(_ layers: [any Layer], range: Range<Int>, modes: [LayerMode],
                        backwardRange: Range<Int>?) -> ExecutionPlan {
        precondition(modes.count == range.count, "one mode per planned layer")
        var ops: [FusedOp] = []
        var i = range.lowerBound
        while i < range.upperBound {
            let op = FusionPatterns.table.lazy.compactMap { pattern -> FusedOp? in
                let window = i..<(i + pattern.width)
                guard window.upperBound <= range.upperBound,
                      let kernel = pattern.fuse(Array(layers[window]), Array(modes[(i - range.lowerBound)...].prefix(pattern.width)))
                else { return nil }
                return FusedOp(kernel: kernel, layers: window)
            }.first ?? FusedOp(kernel: .layer(layers[i], modes[i - range.lowerBound]), layers: i..<(i + 1))
            ops.append(op)
            i = op.layers.upperBound
        }
        return ExecutionPlan(ops: ops, range: range, backwardRange: backwardRange)
    }

    /// The kind of every op, in order (what tests and `description` show).
    public var kinds: [FusedOp.Kind] { ops.map(\.kind) }
}

extension ExecutionPlan: CustomStringConvertible {
    /// `conv+bn+relu 0..<3, max_pool2d 3..<4, …`-style listing for test failures and debugging.
    public var description: String {
        ops.map { "\($0.kind.rawValue) \($0.layers)" }.joined(separator: ", ")
    }
}
