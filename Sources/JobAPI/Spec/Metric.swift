/// A per-epoch quantity the trainer can monitor.
public enum Metric: String, Sendable, Equatable, Codable, CaseIterable {
    case valLoss = "val_loss"
    case valAccuracy = "val_accuracy"
    case trainLoss = "train_loss"

    /// fastai's rule: losses improve downwards, everything else upwards.
    public var defaultMode: MonitorMode { self == .valAccuracy ? .max : .min }

    /// Whether the metric needs a validation set.
    public var needsValidation: Bool { self != .trainLoss }
}

/// Which direction counts as an improvement.
public enum MonitorMode: String, Sendable, Equatable, Codable {
    case min, max
}

extension Metric {
    static func read(_ reader: inout ObjectReader, _ key: String = "monitor") -> Metric? {
        guard let name = reader.string(key) else { return nil }
        guard let metric = Metric(rawValue: name) else {
            reader.log.add(reader.at(key), "unknown metric \"\(name)\" (known: \(allCases.map(\.rawValue).joined(separator: ", ")))")
            return nil
        }
        return metric
    }
}

extension MonitorMode {
    /// `"auto"` (the default) picks the metric's natural direction.
    static func read(_ reader: inout ObjectReader, monitor: Metric) -> MonitorMode {
        guard let name = reader.string("mode") else { return monitor.defaultMode }
        if name == "auto" { return monitor.defaultMode }
        guard let mode = MonitorMode(rawValue: name) else {
            reader.log.add(reader.at("mode"), "must be \"min\", \"max\" or \"auto\", got \"\(name)\"")
            return monitor.defaultMode
        }
        return mode
    }
}
