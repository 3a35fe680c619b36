import Foundation
import JobAPI
import NN
import Testing

@testable import Daemon

/// `POST/GET/DELETE /v1/jobs` and a queued job's lists, in process: the spec's one read, its
/// problems in one 422, the stored spec without `priority`, and every documented error.
@Suite struct JobRouteTests {
    @Test func aSubmittedJobIsQueuedWithItsPlan() throws {
        let api = try InProcessAPI()
        let model = try api.registerModel()
        let dataset = try api.registerShapes()
        let body = api.jobSpec(model: model, dataset: dataset)
        let reply = try api.post("/v1/jobs", body)
        #expect(reply.status == 201, "\(reply.text)")
        #expect(reply["object"] == .string("job"))
        #expect(reply["status"] == .string("queued"))
        #expect(reply["priority"] == .number(0))
        #expect(reply["type"] == .string("train"))
        #expect(reply["model"] == .object(["id": .string(model)]))
        #expect(reply["model_id"] == .string(model))
        #expect(reply["spec"] == (try Wire.decode(JSONValue.self, from: Foundation.Data(body.utf8))))
        for key in ["phase", "epoch", "step", "started_at", "finished_at", "error"] { #expect(reply[key] == .null, "\(key)") }
        #expect(reply["metrics"] == .object([:]))
        #expect(reply["groups"] == .array([
            .object(["name": .string("block1"), "trainable": .bool(false), "lr": .number(0.003), "peak_lr": .number(0.003)]),
            .object(["name": .string("block2"), "trainable": .bool(false), "lr": .number(0.003), "peak_lr": .number(0.003)]),
            .object(["name": .string("head"), "trainable": .bool(true), "lr": .number(0.003), "peak_lr": .number(0.003)]),
        ]))
        let id = try #require(reply["id"]?.string)
        #expect(try api.store.job(id).spec == body, "the stored spec is the body as posted")
        let shown = try api.get("/v1/jobs/\(id)")
        #expect(shown.status == 200)
        #expect(shown["groups"] == reply["groups"] && shown["spec"] == reply["spec"])
    }

    @Test func priorityIsAQueueSettingNotPartOfTheSpec() throws {
        let api = try InProcessAPI()
        let id = try api.submit(model: api.registerModel(), dataset: api.registerShapes(), extra: #""priority": 7, "#)
        let shown = try api.get("/v1/jobs/\(id)")
        #expect(shown["priority"] == .number(7))
        #expect(shown["spec"]?.field("priority") == nil)
        #expect(!(try api.store.job(id).spec.contains("priority")))
    }

    @Test func everyProblemOfASpecIsListedOnce() throws {
        let api = try InProcessAPI()
        let model = try api.registerModel()
        let dataset = try api.registerShapes()
        let bad = #"{"priority": 5000, "name": "bad", "model": {"id": "\#(model)"}, "dataset": {"id": "\#(dataset)", "classes": [0, 7]}, "phases": [{"trainable": ["head", "block3"], "epochs": 3, "lr": {"min": 1e-2, "max": 1e-3}, "pct_strat": 0.3}], "batch_size": 0}"#
        let reply = try api.post("/v1/jobs", bad)
        #expect(reply.status == 422 && reply.errorCode == "invalid_request")
        #expect(reply.errorFields == ["priority", "phases[0].lr.min", "phases[0].pct_strat", "batch_size",
                                      "phases[0].trainable[1]", "dataset.classes[1]"], "\(reply.text)")
        #expect(reply.json.field("error")?.field("message") == .string("the job spec has problems (6)"))

        let references = try api.post("/v1/jobs", #"{"name": "refs", "model": {"id": "model_nope"}, "dataset": {"id": "cifar10"}, "fine_tune": 3}"#)
        #expect(references.text == #"{"error":{"code":"invalid_request","details":[{"field":"model.id","message":"no model with id 'model_nope'"},{"field":"dataset.id","message":"no dataset with id 'cifar10'"}],"message":"the job spec has problems (2)"}}"#)
    }

    /// NN's `BuiltinArchitectures.names` is the one list, checked once: one problem, never two.
    @Test func theArchitectureNameIsCheckedOnceAgainstNNsList() throws {
        let api = try InProcessAPI()
        let dataset = try api.registerShapes()
        let unknown = try api.post("/v1/jobs", #"{"name": "r", "model": {"architecture": "resnet101"}, "dataset": {"id": "\#(dataset)"}, "fine_tune": 1}"#)
        #expect(unknown.errorFields == ["model.architecture"], "\(unknown.text)")
        #expect(unknown.text.contains("built-ins are \(BuiltinArchitectures.names.joined(separator: ", "))"))
        // vgg16 is a built-in: the spec reader no longer keeps its own shorter list.
        let vgg = try api.post("/v1/jobs", #"{"name": "v", "model": {"architecture": "vgg16"}, "dataset": {"id": "dataset_nope"}, "fine_tune": 1}"#)
        #expect(vgg.errorFields.first == "dataset.id" && !vgg.errorFields.contains("model.architecture"), "\(vgg.text)")
    }

    @Test func malformedBodies() throws {
        let api = try InProcessAPI()
        #expect(try api.post("/v1/jobs", "name: x").text
                == #"{"error":{"code":"invalid_json","message":"the body is not valid JSON: invalid literal at byte 0"}}"#)
        #expect(try api.post("/v1/jobs", "  ").errorCode == "invalid_json")
        let list = try api.post("/v1/jobs", "[1]")
        #expect(list.status == 422 && list.errorFields == ["body"])
        let priority = try api.post("/v1/jobs", #"{"priority": "high"}"#)
        #expect(priority.errorFields.first == "priority" && priority.errorFields.contains("name"), "\(priority.text)")
    }

    @Test func aJobOverTheMemoryLimitIsRefused() throws {
        let api = try InProcessAPI()
        let dataset = try api.registerShapes()
        let reply = try api.post("/v1/jobs", #"{"name": "huge", "model": {"architecture": "resnet50"}, "dataset": {"id": "\#(dataset)"}, "fine_tune": 1, "batch_size": 65536}"#)
        #expect(reply.status == 422 && reply.errorCode == "memory_limit_exceeded", "\(reply.text)")
        #expect(reply.errorFields == ["batch_size"])
        #expect(try api.get("/v1/jobs")["data"] == .array([]), "nothing stored")
    }

    @Test func listsFilterAndPage() throws {
        let api = try InProcessAPI()
        let model = try api.registerModel()
        let dataset = try api.registerShapes()
        let first = try api.submit(model: model, dataset: dataset)
        let second = try api.submit(model: model, dataset: dataset)
        _ = try api.post("/v1/jobs/\(first)/cancel", "")
        let all = try api.get("/v1/jobs")
        #expect(all["data"]?.array?.compactMap { $0.field("id")?.string } == [second, first], "newest first")
        let cancelled = try api.get("/v1/jobs?status=cancelled")
        #expect(cancelled["data"]?.array?.compactMap { $0.field("id")?.string } == [first])
        let page = try api.get("/v1/jobs?limit=1")
        #expect(page["has_more"] == .bool(true))
        #expect(try api.get("/v1/jobs?limit=1&after=\(second)")["data"]?.array?.first?.field("id")?.string == first)
        #expect(try api.get("/v1/jobs?status=done").text == #"{"error":{"code":"invalid_request","details":[{"field":"status","message":"must be one of queued, running, paused, succeeded, stopped, failed, cancelled"}],"message":"status: must be one of queued, running, paused, succeeded, stopped, failed, cancelled"}}"#)
        #expect(try api.get("/v1/jobs?limit=500").errorFields == ["limit"])
        #expect(try api.get("/v1/jobs?after=job_nope").errorCode == "job_not_found")
    }

    @Test func aQueuedJobHasEmptyListsAndNoWeightsYet() throws {
        let api = try InProcessAPI()
        let id = try api.submit(model: api.registerModel(), dataset: api.registerShapes())
        #expect(try api.get("/v1/jobs/\(id)/checkpoints").text == #"{"data":[],"has_more":false,"object":"list"}"#)
        #expect(try api.get("/v1/jobs/\(id)/metrics").text == #"{"data":[],"has_more":false,"object":"list"}"#)
        #expect(try api.get("/v1/jobs/\(id)/metrics?format=xml").errorFields == ["format"])
        let events = try api.get("/v1/jobs/\(id)/events?format=json")
        #expect(events.status == 200 && events["object"] == .string("list"), "\(events.text)")
        #expect(try api.get("/v1/jobs/\(id)/events?format=json&limit=0").errorFields == ["limit"])
        #expect(try api.call(.GET, "/v1/jobs/\(id)/events", headers: ["Last-Event-ID": "x"]).errorFields == ["Last-Event-ID"])
        let weights = try api.get("/v1/jobs/\(id)/weights")
        #expect(weights.status == 404 && weights.errorCode == "checkpoint_not_found")
        #expect(try api.get("/v1/jobs/\(id)/weights?checkpoint=middle").errorFields == ["checkpoint"])
    }

    @Test func unknownJobsAre404OnEveryRoute() throws {
        let api = try InProcessAPI()
        let expected = #"{"error":{"code":"job_not_found","message":"no job with id 'job_nope'"}}"#
        for target in ["/v1/jobs/job_nope", "/v1/jobs/job_nope/checkpoints", "/v1/jobs/job_nope/metrics",
                       "/v1/jobs/job_nope/events", "/v1/jobs/job_nope/weights"] {
            let reply = try api.get(target)
            #expect(reply.status == 404 && reply.text == expected, "\(target): \(reply.text)")
        }
        #expect(try api.post("/v1/jobs/job_nope/pause", "").text == expected)
        #expect(try api.call(.DELETE, "/v1/jobs/job_nope").text == expected)
    }

    @Test func onlyAFinishedJobIsDeleted() throws {
        let api = try InProcessAPI()
        let id = try api.submit(model: api.registerModel(), dataset: api.registerShapes())
        let queued = try api.call(.DELETE, "/v1/jobs/\(id)")
        #expect(queued.status == 409 && queued.errorCode == "conflict", "\(queued.text)")
        _ = try api.post("/v1/jobs/\(id)/cancel", "")
        #expect(try api.call(.DELETE, "/v1/jobs/\(id)").text == #"{"deleted":true,"id":"\#(id)","object":"job"}"#)
        #expect(try api.get("/v1/jobs/\(id)").status == 404)
    }

    @Test func streamsBeyondTheCapAre503() throws {
        let api = try InProcessAPI { $0.maxStreams = 1 }
        let id = try api.submit(model: api.registerModel(), dataset: api.registerShapes())
        let open = try api.get("/v1/jobs/\(id)/events")  // holds the one slot while its response lives
        #expect(open.status == 200)
        let refused = try api.get("/v1/jobs/\(id)/events")
        #expect(refused.status == 503 && refused.errorCode == "too_many_streams")
        #expect(refused.headers["retry-after"] == "5")
        withExtendedLifetime(open.response) {}
    }

    @Test func routesAnswer404And405ThroughTheRouter() throws {
        let api = try InProcessAPI()
        guard case .notFound = api.router.match(.GET, segments: ["v1", "nothing"]) else {
            Issue.record("an unknown path must not match")
            return
        }
        guard case .methodNotAllowed(let allowed) = api.router.match(.PUT, segments: ["v1", "jobs", "job_x"]) else {
            Issue.record("PUT on a job must be 405")
            return
        }
        #expect(allowed.map(\.rawValue) == ["GET", "DELETE", "HEAD"])
    }

    @Test func healthAndMetrics() throws {
        let api = try InProcessAPI()
        let health = try api.get("/healthz")
        #expect(health["status"] == .string("ok") && health["version"] == .string(thawVersion))
        #expect(health["uptime_seconds"]?.number != nil)
        #expect(try api.get("/metrics").text.contains("# TYPE thaw_jobs gauge"))
    }
}
