import Data
import Foundation
import ThawClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The user's day against the real binary: register a model, submit a job, follow it, download the
/// weights. Needs Debian's dataset-fashion-mnist (deploy/setup.sh installs it).
@Suite(.serialized, .enabled(if: fashionMNISTInstalled)) struct JobAPITests {
    @Test func jobTrainsToCompletionAndServesItsWeights() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let client = daemon.client
        let model = try client.registerSmallCNN()

        let (status, job) = try client.jsonObject("POST", "/v1/jobs", body: smallJob(model: model, perClass: 50, epochs: [1, 3], optimizer: "adamw"))
        #expect(status == 201)
        let id = try #require(job["id"] as? String)
        #expect(job["status"] as? String == "queued")
        let groups = job["groups"] as? [[String: Any]] ?? []
        #expect(groups.map { $0["name"] as? String } == ["block1", "block2", "head"])

        let done = try client.waitForJob(id, statuses: ["succeeded", "stopped", "failed"])
        #expect(done["status"] as? String == "succeeded", "job ended: \(done)")
        let metrics = done["metrics"] as? [String: Any] ?? [:]
        let accuracy = try #require(metrics["test_accuracy"] as? Double)
        #expect(accuracy > 0.3, "5-class test accuracy \(accuracy) should beat chance (0.2)")
        #expect((done["groups"] as? [[String: Any]])?.allSatisfy { $0["trainable"] as? Bool == true } == true)

        // Stored events: phases, epochs with every promised field, checkpoints, the final status.
        let events = try client.get("/v1/jobs/\(id)/events?format=json").json() as? [String: Any]
        let list = events?["data"] as? [[String: Any]] ?? []
        let types = list.compactMap { $0["type"] as? String }
        #expect(types.filter { $0 == "epoch" }.count == 4)
        #expect(types.contains("phase") && types.contains("checkpoint") && types.contains("test"))
        let epoch = try #require(list.first { $0["type"] as? String == "epoch" }?["data"] as? [String: Any])
        for key in ["phase", "epoch", "train_loss", "val_loss", "val_accuracy", "lrs", "seconds",
                    "images_per_second", "from_cache"] {
            #expect(epoch[key] != nil, "epoch event lacks \(key)")
        }

        // Weights: safetensors with ETag = SHA-256; HEAD gives the same headers; If-None-Match → 304.
        let weights = try client.get("/v1/jobs/\(id)/weights?checkpoint=best")
        #expect(weights.status == 200)
        let etag = try #require(weights.header("ETag"))
        #expect(Int(weights.header("Content-Length") ?? "") == weights.body.count)
        let headerLength = weights.body.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try JSONSerialization.jsonObject(with: Data(weights.body[8..<(8 + headerLength)])) as? [String: Any]
        #expect(header?["fc.weight"] != nil && header?["features.1.running_mean"] != nil)
        let head = try client.send("HEAD", "/v1/jobs/\(id)/weights?checkpoint=best")
        #expect(head.status == 200 && head.header("ETag") == etag && head.body.isEmpty)
        let cached = try client.send("GET", "/v1/jobs/\(id)/weights?checkpoint=best", headers: [("If-None-Match", etag)])
        #expect(cached.status == 304)
        #expect(try client.get("/v1/jobs/\(id)/weights?checkpoint=last").status == 200)

        // Metrics history in both formats, checkpoints listed with their checksums.
        let csv = try client.get("/v1/jobs/\(id)/metrics?format=csv")
        #expect(csv.status == 200 && csv.text.split(separator: "\n").count == 5)
        let checkpoints = try client.get("/v1/jobs/\(id)/checkpoints").json() as? [String: Any]
        let kinds = (checkpoints?["data"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(kinds.contains("best") && kinds.contains("epoch"))

        // Prometheus text: jobs by state, training steps, HTTP requests by route and status.
        let exposition = try client.get("/metrics")
        #expect(exposition.header("Content-Type")?.hasPrefix("text/plain") == true)
        #expect(exposition.text.contains(#"thaw_jobs{state="succeeded"} 1"#))
        #expect(exposition.text.contains(#"route="/v1/jobs/:id",status="200""#))
        let stepsLine = exposition.text.split(separator: "\n").first { $0.hasPrefix("thaw_training_steps_total") }
        #expect((stepsLine?.split(separator: " ").last).flatMap { Double($0) } ?? 0 > 0)

        // A finished job takes no more commands; promotion makes it a model.
        #expect(try client.post("/v1/jobs/\(id)/unfreeze", json: ["all": true]).status == 409)
        let (promoted, newModel) = try client.jsonObject("POST", "/v1/models",
                                                         body: ["from_job": id, "checkpoint": "best", "name": "fmnist-5to9"])
        #expect(promoted == 201, "promotion answered \(newModel); log:\n\(daemon.logText)")
        #expect(newModel["num_classes"] as? Int == 5)
        #expect((newModel["source"] as? [String: Any])?["job_id"] as? String == id)
    }

    @Test func badJobSpecsGet422ListingEveryProblem() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let client = daemon.client
        let model = try client.registerSmallCNN()
        var spec = smallJob(model: model)
        spec["num_classes"] = 7
        var phases = spec["phases"] as! [[String: Any]]
        phases[0]["trainable"] = ["bogus"]
        phases[1]["lr"] = 0
        spec["phases"] = phases
        let (status, body) = try client.jsonObject("POST", "/v1/jobs", body: spec)
        #expect(status == 422)
        let error = body["error"] as? [String: Any]
        #expect(error?["code"] as? String == "invalid_request")
        let fields = (error?["details"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
        #expect(fields.contains { $0.hasPrefix("phases[0].trainable") }, "\(fields)")
        #expect(fields.contains { $0.hasPrefix("phases[1].lr") }, "\(fields)")
        #expect(fields.contains { $0.contains("num_classes") }, "\(fields)")

        var missing = smallJob(model: "model_nope")
        missing["dataset"] = ["id": "no-such-dataset"]
        let (status2, body2) = try client.jsonObject("POST", "/v1/jobs", body: missing)
        #expect(status2 == 422)
        let fields2 = ((body2["error"] as? [String: Any])?["details"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
        #expect(fields2.contains("model.id") && fields2.contains("dataset.id"), "\(fields2)")

        #expect(try client.post("/v1/jobs", rawJSON: Array("{not json".utf8)).status == 400)
        #expect(try client.get("/v1/jobs/job_0000000000000000").status == 404)
        #expect(try client.post("/v1/jobs/job_0000000000000000/stop", json: [:]).status == 404)
        #expect(try client.get("/v1/jobs?status=bogus").status == 422)
        // Nothing was stored by the rejected submissions.
        let list = try client.get("/v1/jobs").json() as? [String: Any]
        #expect((list?["data"] as? [Any])?.isEmpty == true)
    }

    /// Control bodies are checked against the model when posted: what is knowable then is a 4xx
    /// naming the field, never a 202 the run later refuses.
    @Test func controlBodiesAreValidatedWhenPosted() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let client = daemon.client
        let model = try client.registerSmallCNN()
        // Queued behind nothing but it need not run: a long job, cancelled at the end.
        let (_, job) = try client.jsonObject("POST", "/v1/jobs", body: smallJob(model: model, perClass: 60, epochs: [3, 20]))
        let id = try #require(job["id"] as? String)

        func problem(_ action: String, _ body: String) throws -> (Int, String?, String?) {
            let response = try client.post("/v1/jobs/\(id)/\(action)", rawJSON: Array(body.utf8))
            let error = (try? response.json() as? [String: Any])?["error"] as? [String: Any]
            let detail = (error?["details"] as? [[String: Any]])?.first
            return (response.status, error?["code"] as? String, detail?["field"] as? String)
        }
        let tooMany = try problem("unfreeze", #"{"last": 9}"#)
        #expect(tooMany.0 == 422 && tooMany.2 == "last", "\(tooMany)")
        let tooManyLayers = try problem("unfreeze", #"{"last_layers": 500}"#)
        #expect(tooManyLayers.0 == 422 && tooManyLayers.2 == "last_layers", "\(tooManyLayers)")
        let unknown = try problem("freeze", #"{"groups": ["block9"]}"#)
        #expect(unknown.0 == 422 && unknown.2 == "groups[0]", "\(unknown)")
        let both = try problem("unfreeze", #"{"groups": ["head"], "last": 2}"#)
        #expect(both.0 == 422 && both.2 == "body", "\(both)")
        let malformed = try problem("lr", #"{"lr": }"#)
        #expect(malformed.0 == 400 && malformed.1 == "invalid_json", "\(malformed)")
        #expect(try problem("lr", #"{"scale": 0.5}"#).0 == 202)

        // The built-in dataset takes a slot of the first page like any other item.
        for (name, value) in [("a", UInt8(20)), ("b", UInt8(220))] {
            let dir = daemon.dataDir + "/datasets/tiny/\(name)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let png = try ImageEncoder.png([UInt8](repeating: value, count: 64), width: 8, height: 8, channels: 1)
            try Data(png).write(to: URL(fileURLWithPath: dir + "/0.png"))
        }
        #expect(try client.post("/v1/datasets", json: ["name": "tiny", "path": "tiny"]).status == 201)
        let first = try client.get("/v1/datasets?limit=1").json() as? [String: Any]
        let firstItems = first?["data"] as? [[String: Any]] ?? []
        #expect(firstItems.map { $0["id"] as? String } == ["fashion-mnist"] && first?["has_more"] as? Bool == true, "\(String(describing: first))")
        let second = try client.get("/v1/datasets?limit=1&after=fashion-mnist").json() as? [String: Any]
        #expect((second?["data"] as? [[String: Any]])?.first?["name"] as? String == "tiny")
        #expect(second?["has_more"] as? Bool == false)

        #expect(try client.post("/v1/jobs/\(id)/cancel", json: [:]).status == 202)
        _ = try client.waitForJob(id, statuses: ["cancelled"], timeout: 120)
    }
}
