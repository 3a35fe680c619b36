/// An experiment's figures, computed from its children's runs only (nothing stored twice): per
/// strategy the mean [min, max] of test accuracy, epochs, wall seconds and images/s over its measured
/// runs, and, once every child has ended, the winner.
public struct ExperimentSummary: Sendable, Equatable, Encodable {
    /// Mean, smallest and largest of a figure over a strategy's measured runs.
    public struct Stat: Sendable, Equatable, Encodable {
        public var mean: Double
        public var min: Double
        public var max: Double

        public init?(_ values: [Double]) {
            guard !values.isEmpty else { return nil }
            mean = values.reduce(0, +) / Double(values.count)
            min = values.min()!
            max = values.max()!
        }
    }

    public struct Strategy: Sendable, Equatable, Encodable {
        public var name: String
        /// Children of this strategy, and those that ended with a test accuracy (the figures' count).
        public var runs: Int
        public var measured: Int
        public var testAccuracy: Stat?
        public var epochs: Stat?
        public var wallSeconds: Stat?
        public var imagesPerSecond: Stat?

        enum CodingKeys: String, CodingKey {
            case name, runs, measured, testAccuracy = "test_accuracy", epochs, wallSeconds = "wall_seconds",
                 imagesPerSecond = "images_per_second"
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(runs, forKey: .runs)
            try c.encode(measured, forKey: .measured)
            try c.encode(testAccuracy, forKey: .testAccuracy)
            try c.encode(epochs, forKey: .epochs)
            try c.encode(wallSeconds, forKey: .wallSeconds)
            try c.encode(imagesPerSecond, forKey: .imagesPerSecond)
        }
    }

    /// The strategy with the highest mean test accuracy (the earlier one in the request on a tie);
    /// `margin` = its mean minus the runner-up's mean (nil when no other strategy was measured).
    public struct Winner: Sendable, Equatable, Encodable {
        public var strategy: String
        public var testAccuracy: Double
        public var runnerUp: String?
        public var margin: Double?

        enum CodingKeys: String, CodingKey { case strategy, testAccuracy = "test_accuracy", runnerUp = "runner_up", margin }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(strategy, forKey: .strategy)
            try c.encode(testAccuracy, forKey: .testAccuracy)
            try c.encode(runnerUp, forKey: .runnerUp)
            try c.encode(margin, forKey: .margin)
        }
    }

    public var strategies: [Strategy]
    /// Nil until every child has ended, or when no strategy was measured.
    public var winner: Winner?

    /// `strategies` in request order; `runs` in any order; `ended`: every child is final.
    public init(strategies names: [String], runs: [ExperimentRun], ended: Bool) {
        strategies = names.map { name in
            let mine = runs.filter { $0.strategy == name }
            let measured = mine.filter(\.isMeasured)
            return Strategy(name: name, runs: mine.count, measured: measured.count,
                            testAccuracy: Stat(measured.compactMap(\.testAccuracy)),
                            epochs: Stat(measured.compactMap { $0.epochs.map(Double.init) }),
                            wallSeconds: Stat(measured.compactMap(\.wallSeconds)),
                            imagesPerSecond: Stat(measured.compactMap(\.imagesPerSecond)))
        }
        winner = ended ? Self.winner(strategies) : nil
    }

    static func winner(_ strategies: [Strategy]) -> Winner? {
        var ranked: [(name: String, mean: Double)] = []
        for s in strategies { if let mean = s.testAccuracy?.mean { ranked.append((s.name, mean)) } }
        // A stable sort keeps request order among equal means.
        let order = ranked.enumerated().sorted { a, b in
            a.element.mean != b.element.mean ? a.element.mean > b.element.mean : a.offset < b.offset
        }.map(\.element)
        guard let first = order.first else { return nil }
        let second = order.dropFirst().first
        return Winner(strategy: first.name, testAccuracy: first.mean, runnerUp: second?.name,
                      margin: second.map { first.mean - $0.mean })
    }
}
