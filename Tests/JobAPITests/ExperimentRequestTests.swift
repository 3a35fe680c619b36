import Testing
@testable import JobAPI

/// `CreateExperimentRequest`: the envelope's problems listed at once with their paths, the children
/// it expands to, and where a child's problem is named inside the experiment body.
@Suite struct ExperimentRequestTests {
    static let base = #""base": {"model": {"architecture": "small-cnn"}, "dataset": {"id": "shapes"}, "batch_size": 4}"#

    func read(_ json: String) throws -> Result<CreateExperimentRequest, SpecError> {
        CreateExperimentRequest.read(try document(json))
    }

    @Test func defaultsAndBothStrategyForms() throws {
        let request = try read(#"{"name": "e", \#(Self.base), "strategies": ["recipe", {"name": "mine", "phases": [{"trainable": "all", "epochs": 1}]}]}"#).get()
        #expect(request.name == "e")
        #expect(request.seeds == [0])
        #expect(request.epochs == CreateExperimentRequest.defaultEpochs)
        #expect(request.priority == 0)
        #expect(request.strategies.map(\.name) == ["recipe", "mine"])
        #expect(request.base["batch_size"] == 4)
    }

    @Test func childrenSeedBySeedWithTheirOwnNamesSeedsAndPhases() throws {
        let request = try read(#"{"name": "e", \#(Self.base), "strategies": ["head_only", "scratch"], "seeds": [7, 8], "epochs": 10}"#).get()
        let children = try request.children(scratchArchitecture: "small-cnn").get()
        #expect(children.map(\.name) == ["e/head_only/seed-7", "e/scratch/seed-7", "e/head_only/seed-8", "e/scratch/seed-8"])
        #expect(children.map(\.seed) == [7, 7, 8, 8])
        #expect(children.map(\.strategyIndex) == [0, 1, 0, 1])
        let first = children[0].document
        #expect(first.field("seed") == 7)
        #expect(first.field("batch_size") == 4)
        #expect(first.field("model") == ["architecture": "small-cnn"])
        #expect(first.field("phases")?.array?.first?.field("cache") == true)
        #expect(first.field("phases")?.array?.first?.field("epochs") == 10)
        // The child is a job spec the job reader accepts as it stands.
        #expect(JobSpec.parse(first).problems == [])
        #expect(JobSpec.parse(children[1].document).problems == [])
    }

    @Test func builtinsSpendExactlyTheBudgetInTheProtocolsProportions() throws {
        func epochs(_ b: ExperimentStrategy.Builtin, _ budget: Int) -> [Int] {
            (b.phases(epochs: budget, trainBN: false).array ?? []).compactMap { $0.field("epochs")?.number }.map { Int($0) }
        }
        #expect(epochs(.recipe, 25) == [5, 20])
        #expect(epochs(.gradual, 25) == [5, 2, 18])
        #expect(epochs(.headOnly, 25) == [25])
        for budget in [3, 4, 7, 25, 999, 1000] {
            for builtin in ExperimentStrategy.Builtin.allCases {
                let split = epochs(builtin, budget)
                #expect(split.reduce(0, +) == budget, "\(builtin) \(budget): \(split)")
                #expect(split.allSatisfy { $0 >= 1 }, "\(builtin) \(budget): \(split)")
            }
        }
        // The recipe: head at 3e-2 from the cache, then every group at slice(1e-4, 1e-2).
        let recipe = ExperimentStrategy.Builtin.recipe.phases(epochs: 25, trainBN: false).array ?? []
        #expect(recipe[0].field("lr") == 0.03)
        #expect(recipe[0].field("cache") == true)
        #expect(recipe[1].field("trainable") == "all")
        #expect(recipe[1].field("lr") == ["min": 0.0001, "max": 0.01])
        // BatchNorm training everywhere makes a cache impossible, so the built-ins leave it out.
        #expect(ExperimentStrategy.Builtin.recipe.phases(epochs: 25, trainBN: true).array?[0].field("cache") == nil)
    }

    @Test func everyEnvelopeProblemAtOnce() throws {
        let result = try read(#"{"base": {"phases": [], "seed": 3, "name": "x"}, "strategies": ["recipe", "magic", "recipe", 3], "seeds": [1, 1], "epochs": 2, "priority": 5000, "colour": 1}"#)
        #expect(result.paths == ["name", "base.name", "base.seed", "base.phases", "strategies[1]", "strategies[2]", "strategies[3]",
                                 "seeds[1]", "epochs", "priority", "colour"])
        #expect(result.problems.contains("strategies[1]: unknown built-in strategy \"magic\" (built-ins: head_only, full, gradual, recipe, scratch; or give {\"name\", \"phases\"})"))
        #expect(result.problems.contains("strategies[2]: \"recipe\" is already the name of strategies[0]"))
        #expect(result.problems.contains("epochs: must be in 3...1000, got 2"))
    }

    @Test func boundsOnSeedsStrategiesAndChildren() throws {
        let elevenSeeds = (0...10).map(String.init).joined(separator: ", ")
        #expect(try read(#"{"name": "e", \#(Self.base), "strategies": ["full"], "seeds": [\#(elevenSeeds)]}"#).problems
                == ["seeds: has 11 seeds; at most 10 are allowed"])
        #expect(try read(#"{"name": "e", \#(Self.base), "strategies": []}"#).problems == ["strategies: must contain at least one strategy"])
        let many = (0..<17).map { #"{"name": "s\#($0)", "phases": []}"# }.joined(separator: ", ")
        #expect(try read(#"{"name": "e", \#(Self.base), "strategies": [\#(many)]}"#).problems
                == ["strategies: has 17 strategies; at most 16 are allowed"])
        let sixteen = (0..<16).map { #"{"name": "s\#($0)", "phases": []}"# }.joined(separator: ", ")
        #expect(try read(#"{"name": "e", \#(Self.base), "strategies": [\#(sixteen)], "seeds": [1, 2, 3, 4, 5]}"#).problems
                == ["seeds: 16 strategies x 5 seeds is 80 jobs; at most 64 are allowed"])
        #expect(try read(#"{"name": "e", \#(Self.base), "strategies": [\#(sixteen)], "seeds": [1, 2, 3, 4]}"#).problems == [])
        #expect(try read(#"{"name": "e", \#(Self.base), "strategies": ["full"], "seeds": [-1]}"#).problems
                == ["seeds[0]: must be in [0, 2^53], got -1"])
        #expect(try read(#"{"name": "\#(String(repeating: "n", count: 129))", \#(Self.base), "strategies": ["full"]}"#).problems
                == ["name: must be 1 to 128 characters (Unicode code points), got 129"])
    }

    @Test func explicitStrategyShape() throws {
        #expect(try read(#"{"name": "e", \#(Self.base), "strategies": [{"name": "recipe", "phases": []}]}"#).problems
                == ["strategies[0].name: \"recipe\" is a built-in strategy's name; give explicit phases another name"])
        #expect(try read(#"{"name": "e", \#(Self.base), "strategies": [{"phases": [], "lr": 1}]}"#).paths
                == ["strategies[0].name", "strategies[0].lr"])
        #expect(try read(#"{"name": "e", \#(Self.base), "strategies": [{"name": "a", "phases": []}, {"name": "a", "phases": []}]}"#).problems
                == ["strategies[1].name: \"a\" is already the name of strategies[0]"])
        #expect(try read(#"{"name": "e", "base": [], "strategies": ["full"]}"#).problems
                == ["base: must be an object (the job fields every child shares), got a list"])
    }

    @Test func scratchNeedsABuiltinArchitecture() throws {
        let request = try read(#"{"name": "e", \#(Self.base), "strategies": ["full", "scratch"]}"#).get()
        #expect(request.children(scratchArchitecture: nil).paths == ["strategies[1]"])
        #expect(try request.children(scratchArchitecture: "resnet-mini").get()[1].document.field("model") == ["architecture": "resnet-mini"])
    }

    @Test func childProblemsAreNamedInsideTheExperimentBody() throws {
        let request = try read(#"{"name": "e", \#(Self.base), "strategies": ["recipe", {"name": "mine", "phases": [], "model": {"id": "m"}}, "scratch"]}"#).get()
        func mapped(_ path: String, _ i: Int) -> String {
            request.childProblem(SpecProblem(path: path, message: "bad"), strategyIndex: i).description
        }
        #expect(mapped("phases[0].lr", 1) == "strategies[1].phases[0].lr: bad")
        #expect(mapped("model.id", 1) == "strategies[1].model.id: bad")
        #expect(mapped("phases[1].trainable.last", 0) == "strategies[0]: built-in recipe: phases[1].trainable.last: bad")
        #expect(mapped("model.architecture", 2) == "strategies[2]: built-in scratch: model.architecture: bad")
        #expect(mapped("model.id", 0) == "base.model.id: bad")
        #expect(mapped("dataset.classes[2]", 1) == "base.dataset.classes[2]: bad")
        #expect(mapped("", 0) == "base: bad")
    }

    @Test func summaryPerStrategyAndTheWinner() {
        let runs = [
            ExperimentRun(jobID: "j1", strategy: "a", seed: 1, status: "succeeded", testAccuracy: 0.70, epochs: 5, wallSeconds: 2, imagesPerSecond: 100),
            ExperimentRun(jobID: "j2", strategy: "b", seed: 1, status: "succeeded", testAccuracy: 0.80, epochs: 4, wallSeconds: 3, imagesPerSecond: 300),
            ExperimentRun(jobID: "j3", strategy: "a", seed: 2, status: "succeeded", testAccuracy: 0.74, epochs: 7, wallSeconds: 4, imagesPerSecond: 200),
            ExperimentRun(jobID: "j4", strategy: "b", seed: 2, status: "failed"),
            ExperimentRun(jobID: "j5", strategy: "c", seed: 1, status: "cancelled"),
        ]
        let summary = ExperimentSummary(strategies: ["a", "b", "c"], runs: runs, ended: true)
        let a = summary.strategies[0]
        #expect(a.runs == 2 && a.measured == 2)
        #expect(abs(a.testAccuracy!.mean - 0.72) < 1e-12)
        #expect(a.testAccuracy!.min == 0.70 && a.testAccuracy!.max == 0.74)
        #expect(a.epochs == ExperimentSummary.Stat([5, 7]))
        #expect(a.wallSeconds!.mean == 3 && a.imagesPerSecond!.mean == 150)
        #expect(summary.strategies[1].runs == 2 && summary.strategies[1].measured == 1)
        #expect(summary.strategies[2].testAccuracy == nil)
        let winner = summary.winner!
        #expect(winner.strategy == "b" && winner.runnerUp == "a")
        #expect(abs(winner.margin! - 0.08) < 1e-12)
        #expect(ExperimentSummary(strategies: ["a", "b", "c"], runs: runs, ended: false).winner == nil)
        // A tie goes to the strategy listed first; alone, no runner-up and no margin.
        let tie = [ExperimentRun(jobID: "x", strategy: "b", seed: 1, status: "succeeded", testAccuracy: 0.5),
                   ExperimentRun(jobID: "y", strategy: "a", seed: 1, status: "succeeded", testAccuracy: 0.5)]
        #expect(ExperimentSummary(strategies: ["a", "b"], runs: tie, ended: true).winner?.strategy == "a")
        #expect(ExperimentSummary(strategies: ["a", "b"], runs: tie, ended: true).winner?.margin == 0)
        let alone = ExperimentSummary(strategies: ["a"], runs: [tie[1]], ended: true).winner
        #expect(alone?.runnerUp == nil && alone?.margin == nil)
    }

    @Test func statusFromTheChildren() {
        #expect(ExperimentStatus.derive(children: ["queued", "queued"], cancelRequested: false) == "queued")
        #expect(ExperimentStatus.derive(children: ["queued", "succeeded"], cancelRequested: false) == "running")
        #expect(ExperimentStatus.derive(children: ["paused", "succeeded"], cancelRequested: true) == "running")
        #expect(ExperimentStatus.derive(children: ["succeeded", "stopped"], cancelRequested: false) == "succeeded")
        #expect(ExperimentStatus.derive(children: ["succeeded", "failed"], cancelRequested: false) == "failed")
        #expect(ExperimentStatus.derive(children: ["succeeded", "cancelled"], cancelRequested: true) == "cancelled")
    }

    @Test func imagesPerSecondIsImagesOverTrainingTime() {
        // 100 img/s for 1 s and 300 img/s for 3 s: 1000 images in 4 s.
        #expect(ExperimentRun.imagesPerSecond(epochs: [(100, 1), (300, 3), (nil, 2), (50, 0)]) == 250)
        #expect(ExperimentRun.imagesPerSecond(epochs: [(nil, nil)]) == nil)
    }
}

extension JSONValue {
    var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    var number: Double? { if case .number(let n) = self { return n }; return nil }
}
