import Foundation
import JobAPI
import NN
import Testing

@testable import Daemon

/// A job trained in process on the synthetic folder (one epoch, eight 28x28 images), then read back
/// through every route: the job object's live part, checkpoints, metrics, events, weights, promotion.
@Suite struct TrainedJobRouteTests {
    @Test func aFinishedJobShowsWhatItTrained() throws {
        let api = try InProcessAPI()
        let id = try api.submit(model: api.registerModel(), dataset: api.registerShapes())
        try api.runNextJob()

        let job = try api.get("/v1/jobs/\(id)")
        #expect(job["status"] == .string("succeeded"), "\(job.text)")
        #expect(job["phase"] == .string("head") && job["epoch"] == .number(1))
        #expect(job["step"]?.number ?? 0 > 0)
        let groups = try #require(job["groups"]?.array)
        #expect(groups.map { $0.field("trainable") } == [.bool(false), .bool(false), .bool(true)])
        #expect(groups.allSatisfy { $0.field("peak_lr") == .number(0.003) }, "\(groups)")
        let metrics = try #require(job["metrics"])
        let latest = try #require(metrics.field("latest"))
        #expect(latest.field("global_epoch") == .number(1) && latest.field("phase") == .string("head"))
        #expect(latest.field("train_loss")?.number != nil && latest.field("per_class_accuracy")?.field("dark") != nil)
        #expect(latest.field("lrs") == nil, "latest is the documented subset of the epoch event")
        #expect(metrics.field("best")?.field("global_epoch") == .number(1))
        #expect(metrics.field("restored_best") != nil && metrics.field("stop_reason") == .null)
        #expect(job["result"]?.field("epochs") == .number(1))
        #expect(job["timings"]?.field("running_seconds")?.number != nil)

        let checkpoints = try #require(try api.get("/v1/jobs/\(id)/checkpoints")["data"]?.array)
        #expect(Set(checkpoints.compactMap { $0.field("kind")?.string }) == ["best", "epoch", "last"])
        #expect(checkpoints.allSatisfy { $0.field("object") == .string("checkpoint") && $0.field("epoch") == .number(1) })

        let rows = try #require(try api.get("/v1/jobs/\(id)/metrics")["data"]?.array)
        #expect(rows.count == 1 && rows[0].field("phase") == .string("head") && rows[0].field("global_epoch") == .number(1))
        let csv = try api.call(.GET, "/v1/jobs/\(id)/metrics", headers: ["Accept": "text/csv"])
        #expect(csv.headers["content-type"] == "text/csv; charset=utf-8")
        #expect(csv.text.hasPrefix("phase,global_epoch,"))

        let events = try #require(try api.get("/v1/jobs/\(id)/events?format=json&limit=5000")["data"]?.array)
        let types = events.compactMap { $0.field("type")?.string }
        for type in ["status", "run", "phase", "epoch", "best", "checkpoint"] { #expect(types.contains(type), "\(types)") }
        let after = try #require(events.first?.field("id")?.number)
        let rest = try #require(try api.get("/v1/jobs/\(id)/events?format=json&after=\(Int(after))")["data"]?.array)
        #expect(rest.count == events.count - 1)

        for which in ["best", "last"] {
            let weights = try api.get("/v1/jobs/\(id)/weights?checkpoint=\(which)")
            #expect(weights.status == 200)
            #expect(weights.headers["x-thaw-epoch"] == "1")
            #expect(weights.headers["content-disposition"] == "attachment; filename=\"\(id)-\(which).safetensors\"")
            #expect(try Safetensors.decode(weights.bytes).tensors.entries.contains { $0.name == "fc.weight" })
        }

        let promoted = try api.post("/v1/models", #"{"name": "tuned", "from_job": "\#(id)"}"#)
        #expect(promoted.status == 201, "\(promoted.text)")
        #expect(promoted["source"] == .object(["type": .string("job"), "job_id": .string(id)]))

        #expect(try api.call(.DELETE, "/v1/jobs/\(id)").status == 200)
        #expect(try api.get("/v1/models/\(try #require(promoted["id"]?.string))").status == 200, "promoted models stay")
    }
}
