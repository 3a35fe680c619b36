extension JobSpec {
    /// Checks the spec against the model's groups and the dataset; returns every problem (empty when
    /// the job can run).
    public func validate(groups: [String], modelClasses: Int? = nil, datasetClasses: Int? = nil,
                         datasetSize: Int? = nil, inputShape: [Int]? = nil) -> [SpecProblem] {
        let log = ProblemLog()
        validate(SpecContext(groups: groups, modelClasses: modelClasses, datasetClasses: datasetClasses,
                             datasetSize: datasetSize, inputShape: inputShape), log: log)
        return log.problems
    }

    /// Outputs of the head the job trains: `num_classes`, else the classes the dataset selection uses,
    /// else the registered model's head; nil when none is known.
    public func resolvedNumClasses(datasetClasses: Int?, modelClasses: Int?) -> Int? {
        numClasses ?? dataset.classes?.count ?? datasetClasses ?? modelClasses
    }

    func validate(_ context: SpecContext, log: ProblemLog) {
        let groups = context.groups
        for (i, phase) in phases.enumerated() {
            let path = "phases[\(i)]"
            checkSelection(phase.trainable, path: SpecPath.key(path, "trainable"), groups: groups, log: log)
            let start = phase.trainable.resolve(in: groups)
            checkLRs(phase.lr, path: SpecPath.key(path, "lr"), groups: groups, trainable: start, log: log)
            if phase.cache == true, let first = groups.first, start.contains(first) {
                log.add(SpecPath.key(path, "cache"), "needs a frozen body to cache, but the first group (\(first)) trains")
            }
            if phase.gradualUnfreeze != nil, start.count == groups.count, phase.trainable != .all {
                log.add(SpecPath.key(path, "gradual_unfreeze"), "has nothing to unfreeze: every group already trains")
            }
        }
        if let lrFind {
            checkSelection(lrFind.trainable, path: "lr_find.trainable", groups: groups, log: log)
        }
        checkClasses(context, log: log)
        if kind == .evaluate { checkEvaluation(context, log: log) }
        if let size = inputSize, let model = context.inputShape, let c = model.first, size.first != c {
            log.add(SpecPath.index("input_size", 0), "is \(size[0]) channels, but the model takes \(c) (its input shape is \(model))")
        }
        if let size = context.datasetSize, case .fixed(let train, let validation) = dataset.split {
            for (key, list) in [("train_indices", train), ("validation_indices", validation)] {
                let outside = list.indices.filter { list[$0] >= size }
                if let first = outside.first {
                    log.add("dataset.\(key)[\(first)]", "index \(list[first]) is out of range: the dataset has \(size) images"
                            + (outside.count > 1 ? " (\(outside.count) indices out of range in all)" : ""))
                }
            }
        }
    }

    private func checkSelection(_ selection: TrainableSelection, path: String, groups: [String], log: ProblemLog) {
        let known = groups.joined(separator: ", ")
        switch selection {
        case .all:
            break
        case .groups(let names):
            let groupSet = Set(groups)
            for (j, name) in names.enumerated() where !groupSet.contains(name) {
                log.add(SpecPath.index(path, j), "unknown group \"\(name)\" (the model's groups: \(known))")
            }
        case .last(let k):
            if k > groups.count {
                log.add(SpecPath.key(path, "last"), "is \(k), but the model has only \(groups.count) groups (\(known))")
            }
        }
    }

    private func checkLRs(_ lr: LRSpec, path: String, groups: [String], trainable: [String], log: ProblemLog) {
        guard case .perGroup(let lrs, let fallback) = lr else { return }
        let known = groups.joined(separator: ", "), groupSet = Set(groups)
        for name in lrs.keys.sorted() where !groupSet.contains(name) {
            log.add(SpecPath.key(SpecPath.key(path, "groups"), name), "unknown group \"\(name)\" (the model's groups: \(known))")
        }
        let missing = trainable.filter { lrs[$0] == nil }
        if fallback == nil, !missing.isEmpty {
            log.add(SpecPath.key(path, "groups"),
                    "gives no LR for trainable group(s) \(missing.joined(separator: ", ")); list them or set default")
        }
    }

    /// An evaluation runs the model's own head: it must predict as many classes as the selection
    /// uses (the names are compared when the run starts), and the split must hold images.
    private func checkEvaluation(_ context: SpecContext, log: ProblemLog) {
        let used = dataset.classes?.count ?? context.datasetClasses
        if let modelClasses = context.modelClasses, let used, modelClasses != used {
            log.add("model", "predicts \(modelClasses) classes, but the dataset selection has \(used): an evaluate job "
                    + "keeps the model's head (select the classes it was trained on with dataset.classes)")
        }
        if evaluate?.split == .validation, !dataset.hasValidation {
            log.add("evaluate.split", "is validation, but the dataset selection holds no images out (validation_fraction 0 or no validation_indices)")
        }
    }

    private func checkClasses(_ context: SpecContext, log: ProblemLog) {
        if let classes = dataset.classes, let count = context.datasetClasses {
            for (j, c) in classes.enumerated() where c >= count {
                log.add("dataset.classes[\(j)]", "class \(c) does not exist: the dataset has classes 0..<\(count)")
            }
        }
        let used = dataset.classes?.count ?? context.datasetClasses
        if let numClasses, let used, numClasses != used {
            log.add("num_classes", "is \(numClasses), but the dataset selection has \(used) classes")
        }
        if kind == .train, resolvedNumClasses(datasetClasses: context.datasetClasses, modelClasses: context.modelClasses) == nil {
            log.add("num_classes", "is required: it cannot be inferred from the dataset or the model")
        }
    }
}
