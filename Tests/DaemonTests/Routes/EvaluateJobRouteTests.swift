import Foundation
import JobAPI
import OpenSSL
import Testing

@testable import Daemon

/// `"type": "evaluate"` through POST /v1/jobs: validated with 422s naming fields, run by a worker,
/// shown in the job object's `result.evaluation`, and the model's weights untouched.
@Suite struct EvaluateJobRouteTests {
    static func spec(model: String, dataset: String, evaluate: String = #"{"split": "validation", "tta": true}"#,
                     extra: String = "", validationFraction: Double = 0.5) -> String {
        #"{\#(extra)"name": "eval", "type": "evaluate", "model": {"id": "\#(model)"}, "dataset": {"id": "\#(dataset)", "validation_fraction": \#(validationFraction), "seed": 1}, "evaluate": \#(evaluate), "batch_size": 2}"#
    }

    @Test func anEvaluateJobReportsTheSplitAndLeavesTheModelAsItWas() throws {
        let api = try InProcessAPI()
        let model = try api.registerModel(), dataset = try api.registerShapes()
        let before = try api.get("/v1/models/\(model)/weights")
        #expect(before.status == 200)
        let submitted = try api.post("/v1/jobs", Self.spec(model: model, dataset: dataset))
        #expect(submitted.status == 201, "\(submitted.text)")
        #expect(submitted["type"] == .string("evaluate"))
        let id = try #require(submitted["id"]?.string)
        try api.runNextJob()

        let job = try api.get("/v1/jobs/\(id)")
        #expect(job["status"] == .string("succeeded"), "\(job.text)")
        let evaluation = try #require(job["result"]?.field("evaluation"), "\(job.text)")
        #expect(evaluation.field("split") == .string("validation") && evaluation.field("count") == .number(4))
        let accuracy = try #require(evaluation.field("accuracy")?.number)
        let counts = try #require(evaluation.field("confusion_matrix")?.field("counts")?.array?.map { $0.array?.compactMap(\.number) ?? [] })
        #expect(counts.map { $0.reduce(0, +) } == [2, 2])
        #expect(abs(accuracy - (counts[0][0] + counts[1][1]) / 4) < 1e-12)
        #expect(evaluation.field("per_class_accuracy")?.field("dark") != nil && evaluation.field("per_class_accuracy")?.field("light") != nil)
        #expect(evaluation.field("loss")?.number != nil && evaluation.field("tta_loss")?.number != nil)
        #expect(job["metrics"]?.field("test_accuracy")?.number == accuracy)
        #expect(job["epoch"] == .null || job["epoch"] == .number(0))

        let events = try #require(try api.get("/v1/jobs/\(id)/events?format=json&limit=5000")["data"]?.array)
        let types = events.compactMap { $0.field("type")?.string }
        #expect(!types.contains("epoch") && !types.contains("checkpoint"), "\(types)")
        #expect(events.first { $0.field("type") == .string("test") }?.field("data")?.field("split") == .string("validation"))
        #expect(try api.get("/v1/jobs/\(id)/checkpoints")["data"]?.array?.isEmpty == true)

        let after = try api.get("/v1/models/\(model)/weights")
        #expect(SHA256.hex(of: after.bytes) == SHA256.hex(of: before.bytes) && after.bytes == before.bytes)
    }

    @Test func theTrainSplitToo() throws {
        let api = try InProcessAPI()
        let id = try #require(try api.post("/v1/jobs", Self.spec(model: try api.registerModel(), dataset: try api.registerShapes(),
                                                                 evaluate: #"{"split": "train"}"#))["id"]?.string)
        try api.runNextJob()
        let evaluation = try #require(try api.get("/v1/jobs/\(id)")["result"]?.field("evaluation"))
        #expect(evaluation.field("split") == .string("train") && evaluation.field("count") == .number(4))
        #expect(evaluation.field("tta_loss") == nil)
    }

    /// Each bad field is named; the job is not stored.
    @Test(arguments: [
        (#"{"split": "holdout"}"#, "", 0.5, "evaluate.split"),
        (#"{"split": "test"}"#, "", 0.5, "evaluate.split"),  // shapes has no test split
        (#"{"split": "validation"}"#, "", 0.0, "evaluate.split"),
        (#"{"tta": "yes"}"#, "", 0.5, "evaluate.tta"),
        (#"{"split": "train", "views": 2}"#, "", 0.5, "evaluate.views"),
        (#"{}"#, #""phases": [{"trainable": "all", "epochs": 1}], "#, 0.5, "phases"),
        (#"{}"#, #""optimizer": {"type": "sgd"}, "#, 0.5, "optimizer"),
        (#"{}"#, #""train_bn": true, "#, 0.5, "train_bn"),
    ])
    func refusedFields(evaluate: String, extra: String, validationFraction: Double, field: String) throws {
        let api = try InProcessAPI()
        let reply = try api.post("/v1/jobs", Self.spec(model: try api.registerModel(), dataset: try api.registerShapes(),
                                                       evaluate: evaluate, extra: extra, validationFraction: validationFraction))
        #expect(reply.status == 422, "\(reply.text)")
        #expect(reply.errorFields.contains(field), "\(reply.text)")
        #expect(try api.get("/v1/jobs")["data"]?.array?.isEmpty == true)
    }

    @Test func aHeadForOtherClassesOrAFreshArchitectureIsRefused() throws {
        let api = try InProcessAPI()
        let dataset = try api.registerShapes()
        let threeWay = try api.post("/v1/jobs", Self.spec(model: try api.registerModel(classes: 3), dataset: dataset))
        #expect(threeWay.status == 422 && threeWay.errorFields == ["model"], "\(threeWay.text)")
        #expect(threeWay.text.contains("predicts 3 classes"))
        let scratch = try api.post("/v1/jobs", #"{"name": "e", "type": "evaluate", "model": {"architecture": "small-cnn"}, "dataset": {"id": "\#(dataset)"}}"#)
        #expect(scratch.status == 422 && scratch.errorFields.contains("model"), "\(scratch.text)")
        let onTrain = try api.post("/v1/jobs", api.jobSpec(model: try api.registerModel(), dataset: dataset,
                                                           extra: #""evaluate": {"split": "train"}, "#))
        #expect(onTrain.status == 422 && onTrain.errorFields == ["evaluate"], "\(onTrain.text)")
    }
}
