import Foundation
import HTTP1
import JobAPI
import Store
import Testing

@testable import Daemon

/// `/v1/experiments` through the real router and services: children are ordinary jobs (listed,
/// controllable, naming their experiment), a bad strategy is a 422 naming its field inside the
/// experiment body with nothing stored, the summary is the children's results, cancel cancels the
/// children, and an experiment outlives its daemon.
@Suite struct ExperimentRouteTests {
    /// `shapes` split into train/ and test/ (a test split, so every child reports a test accuracy).
    static func registerSplit(_ api: InProcessAPI) throws -> String {
        let root = api.daemon.configuration.resolvedDatasetRoot + "/split"
        try InProcessAPI.writeShapes(root: root + "/train", perClass: 4)
        try InProcessAPI.writeShapes(root: root + "/test", perClass: 2)
        let reply = try api.post("/v1/datasets", #"{"name": "split", "path": "split", "image_size": 28}"#)
        try #require(reply.status == 201, "\(reply.text)")
        return try #require(reply["id"]?.string)
    }

    static func body(model: String, dataset: String, strategies: String = #"["head_only", "full"]"#, seeds: String = "[1, 2]") -> String {
        #"{"name": "cmp", "base": {"model": {"id": "\#(model)"}, "dataset": {"id": "\#(dataset)", "validation_fraction": 0.25, "seed": 1}, "optimizer": {"type": "sgd"}, "batch_size": 2}, "strategies": \#(strategies), "seeds": \#(seeds), "epochs": 3}"#
    }

    @Test func createShowsChildrenAsJobsAndCancelCancelsThem() throws {
        let api = try InProcessAPI()
        let model = try api.registerModel(), dataset = try Self.registerSplit(api)
        let created = try api.post("/v1/experiments", Self.body(model: model, dataset: dataset))
        try #require(created.status == 201, "\(created.text)")
        let id = try #require(created["id"]?.string)
        #expect(id.hasPrefix("exp_"))
        #expect(created["object"]?.string == "experiment")
        #expect(created["status"]?.string == "queued")
        let runs = try #require(created["jobs"]?.array)
        #expect(runs.map { $0.field("strategy")?.string } == ["head_only", "full", "head_only", "full"])
        #expect(runs.map { $0.field("seed")?.number } == [1, 1, 2, 2])
        #expect(created["winner"] == .null)

        // Each child is a job like any other, naming its experiment; a plain job does not.
        let child = try #require(runs[1].field("job_id")?.string)
        let job = try api.get("/v1/jobs/\(child)")
        #expect(job["experiment"]?.string == id)
        #expect(job["name"]?.string == "cmp/full/seed-1")
        #expect(job["spec"]?.field("seed")?.number == 1)
        #expect(job["spec"]?.field("phases")?.array?.first?.field("trainable")?.string == "all")
        #expect(try api.get("/v1/jobs")["data"]?.array?.count == 4)
        let plain = try api.submit(model: model, dataset: dataset)
        #expect(try api.get("/v1/jobs/\(plain)")["experiment"] == nil)
        #expect(try api.get("/v1/jobs")["data"]?.array?.first(where: { $0.field("id")?.string == child })?.field("experiment")?.string == id)

        let listed = try api.get("/v1/experiments")
        #expect(listed["object"]?.string == "list")
        #expect(listed["data"]?.array?.map { $0.field("id")?.string } == [id])
        #expect(try api.get("/v1/experiments/exp_0000000000000000").errorCode == "experiment_not_found")

        let cancelled = try api.post("/v1/experiments/\(id)/cancel", "")
        #expect(cancelled.status == 202, "\(cancelled.text)")
        #expect(cancelled["status"]?.string == "cancelled")
        #expect(cancelled["cancel_requested"] == .bool(true))
        for run in try #require(cancelled["jobs"]?.array) {
            #expect(try api.get("/v1/jobs/\(run.field("job_id")?.string ?? "")")["status"]?.string == "cancelled")
        }
        #expect(try api.get("/v1/jobs/\(plain)")["status"]?.string == "queued")
        let again = try api.post("/v1/experiments/\(id)/cancel", "")
        #expect(again.status == 409 && again.errorCode == "illegal_state", "\(again.text)")
    }

    @Test func aBadStrategyIsA422NamingItsFieldAndNothingIsStored() throws {
        let api = try InProcessAPI()
        let model = try api.registerModel(), dataset = try Self.registerSplit(api)
        let explicit = #"["full", {"name": "mine", "phases": [{"trainable": ["head", "block3"], "epochs": 1, "lr": 20}]}, "magic"]"#
        let reply = try api.post("/v1/experiments", Self.body(model: model, dataset: dataset, strategies: explicit))
        #expect(reply.status == 422 && reply.errorCode == "invalid_request", "\(reply.text)")
        #expect(reply.errorFields == ["strategies[2]"])

        let inner = #"["full", {"name": "mine", "phases": [{"trainable": ["head", "block3"], "epochs": 1, "lr": 20}]}]"#
        let problems = try api.post("/v1/experiments", Self.body(model: model, dataset: dataset, strategies: inner))
        #expect(problems.status == 422, "\(problems.text)")
        #expect(problems.errorFields == ["strategies[1].phases[0].lr", "strategies[1].phases[0].trainable[1]"])

        let badBase = try api.post("/v1/experiments", Self.body(model: "model_nope", dataset: "dataset_nope"))
        #expect(badBase.errorFields == ["base.model.id", "base.dataset.id"], "\(badBase.text)")

        let notObject = try api.post("/v1/experiments", "[1]")
        #expect(notObject.status == 422 && notObject.errorFields == ["body"])
        let malformed = try api.post("/v1/experiments", #"{"name": "x",}"#)
        #expect(malformed.status == 400 && malformed.errorCode == "invalid_json")

        #expect(try api.get("/v1/experiments")["data"]?.array?.isEmpty == true)
        #expect(try api.get("/v1/jobs")["data"]?.array?.isEmpty == true)
    }

    @Test func theSummaryIsTheChildrensResults() throws {
        let api = try InProcessAPI()
        let model = try api.registerModel(), dataset = try Self.registerSplit(api)
        let created = try api.post("/v1/experiments", Self.body(model: model, dataset: dataset))
        try #require(created.status == 201, "\(created.text)")
        let id = try #require(created["id"]?.string)
        for _ in 0..<4 { try api.runNextJob() }

        let experiment = try api.get("/v1/experiments/\(id)")
        #expect(experiment["status"]?.string == "succeeded", "\(experiment.text)")
        #expect(experiment["finished_at"]?.number != nil)
        var means: [String: Double] = [:]
        for strategy in try #require(experiment["strategies"]?.array) {
            let name = try #require(strategy.field("name")?.string)
            let children = try #require(experiment["jobs"]?.array).filter { $0.field("strategy")?.string == name }
            let jobs = try children.map { try api.get("/v1/jobs/\($0.field("job_id")?.string ?? "")").json }
            let accuracies = try jobs.map { try #require($0.field("result")?.field("test_accuracy")?.number) }
            let epochs = try jobs.map { try #require($0.field("result")?.field("epochs")?.number) }
            let walls = try jobs.map { try #require($0.field("timings")?.field("running_seconds")?.number) }
            #expect(strategy.field("runs")?.number == 2 && strategy.field("measured")?.number == 2)
            let accuracy = try #require(strategy.field("test_accuracy"))
            #expect(abs((accuracy.field("mean")?.number ?? -1) - accuracies.reduce(0, +) / 2) < 1e-12)
            #expect(accuracy.field("min")?.number == accuracies.min() && accuracy.field("max")?.number == accuracies.max())
            #expect(strategy.field("epochs")?.field("mean")?.number == epochs.reduce(0, +) / 2)
            #expect(abs((strategy.field("wall_seconds")?.field("mean")?.number ?? -1) - walls.reduce(0, +) / 2) < 1e-9)
            #expect((strategy.field("images_per_second")?.field("mean")?.number ?? 0) > 0)
            means[name] = accuracies.reduce(0, +) / 2
        }
        let winner = try #require(experiment["winner"])
        let (head, full) = (try #require(means["head_only"]), try #require(means["full"]))
        // The higher mean wins; a tie goes to the strategy listed first (head_only).
        let expected = full > head ? ("full", "head_only", full - head) : ("head_only", "full", head - full)
        #expect(winner.field("strategy")?.string == expected.0)
        #expect(winner.field("runner_up")?.string == expected.1)
        #expect(abs((winner.field("margin")?.number ?? -1) - expected.2) < 1e-12)
    }

    @Test func anExperimentSurvivesARestart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-exp-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var id = "", children: [String] = []
        do {
            let api = try InProcessAPI(directory: directory)
            let model = try api.registerModel(), dataset = try Self.registerSplit(api)
            let created = try api.post("/v1/experiments", Self.body(model: model, dataset: dataset, seeds: "[5]"))
            try #require(created.status == 201, "\(created.text)")
            id = try #require(created["id"]?.string)
            children = try #require(created["jobs"]?.array).compactMap { $0.field("job_id")?.string }
            try api.runNextJob()
        }
        let api = try InProcessAPI(directory: directory)
        let experiment = try api.get("/v1/experiments/\(id)")
        #expect(experiment.status == 200, "\(experiment.text)")
        #expect(experiment["jobs"]?.array?.compactMap { $0.field("job_id")?.string } == children)
        #expect(experiment["status"]?.string == "running")
        #expect(experiment["strategies"]?.array?.first?.field("measured")?.number == 1)
        #expect(try api.get("/v1/jobs/\(children[1])")["experiment"]?.string == id)
        try api.runNextJob()
        #expect(try api.get("/v1/experiments/\(id)")["status"]?.string == "succeeded")
    }
}
