import JobAPI
/// The effective state of every layer group during a job: whether it trains, its peak LR (what the
/// schedule scales) and whether the user unfroze it by command. Codable: it is checkpointed with the
/// weights so a resumed job continues with the same trainable set and LRs.
///
/// The phase rule: a phase start makes its `trainable` groups trainable and keeps every group the user
/// unfroze (by group or by layer) trainable too, so a phase that names fewer groups never silently
/// re-freezes what the user unfroze; a phase with `refreeze: true` trains exactly its own groups and
/// clears the user's unfreezes. A user freeze lasts until the next phase start (the phase's plan then
/// applies again). Gradual and automatic unfreezing are the phase's own doing, not the user's.
public struct GroupState: Sendable, Equatable, Codable {
    public struct Group: Sendable, Equatable, Codable {
        public var name: String
        /// Parameterised layers of the group, in model order (for `last_layers` and layer names).
        public var layers: [String]
        public var trainable: Bool
        /// Peak LR; kept while frozen, used once the group trains.
        public var peakLR: Double
        /// Unfrozen by a control command: phases do not re-freeze it unless they say `refreeze`.
        public var userUnfrozen: Bool

        public init(name: String, layers: [String], trainable: Bool = false, peakLR: Double = 1e-3, userUnfrozen: Bool = false) {
            self.name = name
            self.layers = layers
            self.trainable = trainable
            self.peakLR = peakLR
            self.userUnfrozen = userUnfrozen
        }
    }

    public var groups: [Group]
    /// Layers trainable inside a frozen group (user `last_layers` / `layers`; held like group unfreezes).
    public var unfrozenLayers: [String] = []
    /// Layers frozen inside a trainable group (user freeze by layer; until the next phase start).
    public var frozenLayers: [String] = []

    /// All groups frozen, every peak LR `peakLR`; `layers` lists each group's layers first to head.
    public init(groups: [(name: String, layers: [String])], peakLR: Double = 1e-3) {
        self.groups = groups.map { Group(name: $0.name, layers: $0.layers, peakLR: peakLR) }
    }

    public var names: [String] { groups.map(\.name) }
    public var trainableGroups: [String] { groups.filter(\.trainable).map(\.name) }
    public var peakLRs: [Double] { groups.map(\.peakLR) }
    public var allLayers: [String] { groups.flatMap(\.layers) }

    public func isLayerTrainable(_ layer: String) -> Bool {
        guard let group = groups.first(where: { $0.layers.contains(layer) }) else { return false }
        return group.trainable ? !frozenLayers.contains(layer) : unfrozenLayers.contains(layer)
    }

    /// Every layer that receives gradient updates, in model order.
    public var trainableLayers: [String] { allLayers.filter(isLayerTrainable) }

    /// Whether any group before the first trainable layer is frozen in full, so the frozen prefix's
    /// activations can be cached.
    public var hasFrozenPrefix: Bool {
        guard let first = groups.first else { return false }
        return !first.trainable && !first.layers.contains(where: unfrozenLayers.contains)
    }

    /// The state at the start of `phase` (the phase rule above): trainability from the phase and the
    /// user's unfreezes, every peak LR from the phase's LR spec.
    public func startingPhase(_ phase: PhaseSpec) -> GroupState {
        var next = self
        let selected = phase.trainable.resolve(in: names)
        let peaks = phase.lr.resolve(groups: names)
        for i in next.groups.indices {
            if phase.refreeze { next.groups[i].userUnfrozen = false }
            next.groups[i].trainable = selected.contains(next.groups[i].name) || next.groups[i].userUnfrozen
            next.groups[i].peakLR = peaks[i]
        }
        if phase.refreeze { next.unfrozenLayers = [] }
        next.frozenLayers = []
        return next
    }

    /// The frozen group closest to the head (the next one gradual or automatic unfreezing adds).
    public var nextFrozenGroup: String? { groups.last(where: { !$0.trainable })?.name }

    /// Makes the `count` frozen groups closest to the head trainable (gradual / automatic unfreezing);
    /// returns the new state and the groups that joined, first to head.
    public func unfreezingNext(_ count: Int) -> (state: GroupState, unfrozen: [String]) {
        var next = self
        var unfrozen: [String] = []
        for _ in 0..<max(0, count) {
            guard let i = next.groups.lastIndex(where: { !$0.trainable }) else { break }
            next.groups[i].trainable = true
            next.unfrozenLayers.removeAll { next.groups[i].layers.contains($0) }
            unfrozen.insert(next.groups[i].name, at: 0)
        }
        return (next, unfrozen)
    }

    /// Gradual unfreezing at the start of phase epoch `epoch` (0-based): every `spec.every` epochs after
    /// the first, `spec.groups` more groups join. Depends only on the epoch, so a resume redoes nothing.
    public func applyingGradualUnfreeze(_ spec: GradualUnfreezeSpec, atPhaseEpoch epoch: Int) -> (state: GroupState, unfrozen: [String]) {
        guard epoch > 0, epoch % spec.every == 0 else { return (self, []) }
        return unfreezingNext(spec.groups)
    }
}
