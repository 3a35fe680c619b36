import JobAPI
extension GroupState {
    /// The state after a control command, or every problem with it (unknown names, counts beyond the
    /// model, a freeze that would leave nothing to train). Pause, resume, stop and cancel leave the
    /// groups as they are.
    public func applying(_ command: ControlCommand) -> Result<GroupState, SpecError> {
        applying(command, stateRules: true)
    }

    /// The problems with a command that hold in every state of the run: names the model does not
    /// have, counts beyond it. What `POST /v1/jobs/{id}/<command>` can refuse at once; the rules
    /// that depend on the state the command meets (a freeze that would leave nothing trainable, a
    /// scale that would lift an LR above 10) are the runner's, at the batch boundary.
    public func problemsWithAnyState(_ command: ControlCommand) -> [SpecProblem] {
        if case .failure(let error) = applying(command, stateRules: false) { return error.problems }
        return []
    }

    private func applying(_ command: ControlCommand, stateRules: Bool) -> Result<GroupState, SpecError> {
        let log = ProblemLog()
        var next = self
        switch command {
        case .unfreeze(let target, let lr):
            if let layers = resolve(target, log: log) {
                next.unfreeze(layers: layers)
                let joined = next.groups.indices.filter { next.groups[$0].trainable && !groups[$0].trainable
                    || next.groups[$0].layers.contains(where: { next.isLayerTrainable($0) && !isLayerTrainable($0) }) }
                if let lr { next.setPeaks(lr, on: joined, path: "lr", log: log) }
            }
        case .freeze(let target):
            if let layers = resolve(target, log: log) {
                next.freeze(layers: layers)
                if stateRules && next.trainableLayers.isEmpty {
                    log.add("", "would leave nothing trainable (pause the job instead)")
                }
            }
        case .setLR(.set(let spec)):
            next.setPeaks(spec, on: Array(groups.indices), path: spec.isPerGroup ? "" : "lr", log: log)
        case .setLR(.scale(let factor, let names)):
            let indices = groupIndices(names ?? self.names, path: "groups", log: log)
            for i in indices { next.groups[i].peakLR *= factor }
            let tooHigh = indices.filter { next.groups[$0].peakLR > 10 }.map { groups[$0].name }
            if stateRules && !tooHigh.isEmpty {
                log.add("scale", "would raise the peak LR of \(tooHigh.joined(separator: ", ")) above 10")
            }
        case .pause, .resume, .stop, .cancel:
            break
        }
        return log.problems.isEmpty ? .success(next) : .failure(SpecError(problems: log.problems))
    }

    /// The layers a target covers, in model order; nil (with problems) when it names what does not exist.
    private func resolve(_ target: ControlTarget, log: ProblemLog) -> [String]? {
        let layers = allLayers
        switch target {
        case .all:
            return layers
        case .groups(let names):
            let indices = groupIndices(names, path: "groups", log: log)
            return indices.count == names.count ? indices.flatMap { groups[$0].layers } : nil
        case .last(let k):
            guard k <= groups.count else {
                log.add("last", "is \(k), but the model has only \(groups.count) groups (\(names.joined(separator: ", ")))")
                return nil
            }
            return groups.suffix(k).flatMap(\.layers)
        case .lastLayers(let n):
            guard n <= layers.count else {
                log.add("last_layers", "is \(n), but the model has only \(layers.count) layers")
                return nil
            }
            return Array(layers.suffix(n))
        case .layers(let names):
            // Sets: linear in the body, whatever the number of names.
            let known = Set(layers), wanted = Set(names)
            for (j, name) in names.enumerated() where !known.contains(name) {
                log.add("layers[\(j)]", "unknown layer \"\(name)\"")
            }
            return wanted.isSubset(of: known) ? layers.filter(wanted.contains) : nil
        }
    }

    private func groupIndices(_ names: [String], path: String, log: ProblemLog) -> [Int] {
        var indices: [Int] = []
        for (j, name) in names.enumerated() {
            if let i = groups.firstIndex(where: { $0.name == name }) {
                indices.append(i)
            } else {
                log.add("\(path)[\(j)]", "unknown group \"\(name)\" (the model's groups: \(self.names.joined(separator: ", ")))")
            }
        }
        return indices
    }

    /// User unfreeze: whole groups become trainable and pinned; the rest of the layers are pinned one
    /// by one.
    private mutating func unfreeze(layers: [String]) {
        for i in groups.indices {
            let covered = groups[i].layers.filter(layers.contains)
            guard !covered.isEmpty else { continue }
            if covered.count == groups[i].layers.count {
                groups[i].trainable = true
                groups[i].userUnfrozen = true
                unfrozenLayers.removeAll(where: covered.contains)
            } else if !groups[i].trainable {
                unfrozenLayers += covered.filter { !unfrozenLayers.contains($0) }
            }
            frozenLayers.removeAll(where: covered.contains)
        }
    }

    private mutating func freeze(layers: [String]) {
        for i in groups.indices {
            let covered = groups[i].layers.filter(layers.contains)
            guard !covered.isEmpty else { continue }
            unfrozenLayers.removeAll(where: covered.contains)
            if covered.count == groups[i].layers.count {
                groups[i].trainable = false
                groups[i].userUnfrozen = false
                frozenLayers.removeAll(where: covered.contains)
            } else if groups[i].trainable {
                frozenLayers += covered.filter { !frozenLayers.contains($0) }
            }
        }
    }

    /// Sets peaks on `indices` (first to head): a number on each, a min/max spread over them (fastai
    /// `slice`), or per-group values for listed groups (which must exist).
    private mutating func setPeaks(_ spec: LRSpec, on indices: [Int], path: String, log: ProblemLog) {
        if case .perGroup(let lrs, _) = spec {
            for name in lrs.keys.sorted() {
                if let i = groups.firstIndex(where: { $0.name == name }) {
                    groups[i].peakLR = lrs[name]!
                } else {
                    log.add(SpecPath.key(SpecPath.key(path, "groups"), name), "unknown group \"\(name)\" (the model's groups: \(names.joined(separator: ", ")))")
                }
            }
            return
        }
        let peaks = spec.resolve(groups: indices.map { groups[$0].name })
        for (i, peak) in zip(indices, peaks) { groups[i].peakLR = peak }
    }
}
