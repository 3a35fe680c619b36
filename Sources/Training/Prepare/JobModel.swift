import NN

/// The network a job starts from, built the same way wherever a job runs (the daemon's worker, the
/// benchmarks): a built-in trained from scratch, or a registered model's weights with the head
/// replaced when it does not fit the job's classes.
public enum JobModel {
    /// A registered model's head is kept only when it already predicts the job's classes: the same
    /// number of outputs and, when the model records its class names, the same names in the same
    /// order. A head trained on other classes (a source task with as many classes as the target) is
    /// replaced by a fresh one, as transfer learning needs.
    public static func needsNewHead(modelClasses: Int, modelClassNames: [String], jobClassNames: [String]) -> Bool {
        if modelClasses != jobClassNames.count { return true }
        return !modelClassNames.isEmpty && modelClassNames != jobClassNames
    }

    /// A registered model: its architecture and weights, then a new head (PyTorch default init drawn
    /// from `seed`) when `needsNewHead` says so. Returns whether the head is new. `inputShape` (a
    /// job's `input_size`) replaces the spec's: the weights do not depend on it in nets that pool
    /// adaptively.
    public static func pretrained(spec: ArchitectureSpec, inputShape: [Int]? = nil, weights: StateDict, classNames: [String],
                                  jobClassNames: [String], seed: UInt64) throws -> (model: Model, headIsNew: Bool) {
        var spec = spec
        if let inputShape { spec.inputShape = inputShape }
        let model = try Model(spec: spec, seed: seed)
        try model.load(stateDict: weights, strict: true)
        guard needsNewHead(modelClasses: model.classes, modelClassNames: classNames, jobClassNames: jobClassNames) else {
            return (model, false)
        }
        try model.replaceHead(classes: jobClassNames.count, seed: seed)
        return (model, true)
    }

    /// A built-in architecture with every weight freshly initialised from `seed`.
    public static func scratch(architecture: String, classes: Int, inputShape: [Int]? = nil, seed: UInt64) throws -> Model {
        var spec = try BuiltinArchitectures.spec(named: architecture, classes: classes)
        if let inputShape { spec.inputShape = inputShape }
        return try Model(spec: spec, seed: seed)
    }
}
