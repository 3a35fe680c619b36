import ArgumentParser

/// Benchmarks with stable names; each prints one JSON line per measurement.
struct ThawBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thaw-bench",
        abstract: "Thaw benchmarks (one JSON line per measurement).",
        subcommands: [EngineBenchCommand.self, RoundTripCommand.self, DataBenchCommand.self, CacheBenchCommand.self,
                      APILatencyBenchCommand.self, FewShotBenchCommand.self, PhotoDataBenchCommand.self])
}

ThawBench.main()
