/// The compile step between the layer list and a pass.
///
/// What decides fusion: the layers (fixed at init; `replaceHead` swaps one), the layers a pass runs
/// (`forward(from:)` / `forward(upTo:)` start or stop inside the list) and each layer's mode, which
/// follows from the pass's `training` flag and the model's trainability (a layer trains when the
/// pass trains and the layer is trainable; it records from the lowest trainable layer up). So a plan
/// is compiled once per (range, training) and kept; every trainability change (`setTrainable`,
/// `freeze(below:)`, `setBatchNormOnlyTrainable`, `replaceHead`) drops all plans and the next pass
/// recompiles. Recompiling rather than keeping static patterns plus a per-pass predicate keeps the
/// walk free of decisions and makes a plan a value tests can inspect; freezing changes at phase
/// boundaries and on control requests, so compiling (a few dozen casts) never shows next to a batch.
extension Model {
    struct PlanKey: Hashable {
        let range: Range<Int>
        let training: Bool
    }

    /// The plan `forward(_:training:)` runs.
    public func executionPlan(training: Bool) -> ExecutionPlan {
        executionPlan(layers: layers.indices, training: training)
    }

    /// The plan `forward(from: group, _:training:)` runs.
    public func executionPlan(from group: String, training: Bool) throws(ArchitectureError) -> ExecutionPlan {
        executionPlan(layers: try firstLayer(of: group)..<layers.count, training: training)
    }

    /// The plan for layers `range` (within `layers.indices`), compiled on first use.
    func executionPlan(layers range: Range<Int>, training: Bool) -> ExecutionPlan {
        let key = PlanKey(range: range, training: training)
        if let plan = plans[key] { return plan }
        let plan = compilePlan(key)
        plans[key] = plan
        return plan
    }

    /// Forgets every compiled plan; called by whatever changes a layer's trainability or a layer.
    /// The plan of a pass already recorded stays valid for its `backward`.
    func invalidatePlans() {
        plans.removeAll()
    }

    private func compilePlan(_ key: PlanKey) -> ExecutionPlan {
        let range = key.range
        // Recording starts at the lowest trainable layer (or the first layer run): nothing below it
        // is back-propagated, so a frozen body stores nothing.
        let lowest = key.training ? lowestTrainableLayer.map { max($0, range.lowerBound) } : nil
        let modes = range.map { i in
            LayerMode(training: key.training && isTrainableIndex(i), record: lowest.map { i >= $0 } ?? false)
        }
        let backward = lowest.flatMap { range.upperBound == layers.count ? $0..<range.upperBound : nil }
        return ExecutionPlan.compile(layers, range: range, modes: modes, backwardRange: backward)
    }
}
