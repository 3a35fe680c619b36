/// One layer group as the job object shows it: `{"name", "trainable", "lr", "peak_lr"}`, LRs null
/// when unknown.
public struct GroupView: Sendable, Equatable, Codable {
    public var name: String
    public var trainable: Bool
    /// The schedule's current value, and the peak it scales.
    public var lr: Double?
    public var peakLR: Double?

    public init(name: String, trainable: Bool, lr: Double?, peakLR: Double?) {
        self.name = name
        self.trainable = trainable
        self.lr = lr
        self.peakLR = peakLR
    }

    enum CodingKeys: String, CodingKey { case name, trainable, lr, peakLR = "peak_lr" }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(trainable, forKey: .trainable)
        try c.encodeMeasured(lr, forKey: .lr)
        try c.encodeMeasured(peakLR, forKey: .peakLR)
    }

    /// What a job that has not started will train: its first phase's trainable groups at their peak
    /// LRs. Without a spec (or phases), every group frozen with no LR.
    public static func plan(spec: JobSpec?, groups: [String]) -> [GroupView] {
        guard let first = spec?.phases.first else {
            return groups.map { GroupView(name: $0, trainable: false, lr: nil, peakLR: nil) }
        }
        let trainable = Set(first.trainable.resolve(in: groups))
        let peaks = first.lr.resolve(groups: groups)
        return zip(groups, peaks).map { GroupView(name: $0, trainable: trainable.contains($0), lr: $1, peakLR: $1) }
    }

    /// The groups an event describes (its trainable set and LR maps); a group keeps the position it
    /// had in `previous`, new ones follow in name order.
    static func from(trainable: [String], lrs: [String: Double?], peakLRs: [String: Double?],
                     previous: [GroupView]) -> [GroupView] {
        let named = Set(lrs.keys).union(peakLRs.keys)
        let known = previous.map(\.name)
        let order = known + named.subtracting(known).sorted()
        let training = Set(trainable)
        return order.map { name in
            let peak = peakLRs[name] ?? nil
            let lr = lrs[name] ?? peak
            return GroupView(name: name, trainable: training.contains(name), lr: lr, peakLR: peak)
        }
    }
}
