import Foundation
import JobAPI
import Store
import Testing

@testable import Daemon

/// `POST /v1/jobs/{id}/{action}` in process: what is checked at the POST (422 for the body and the
/// model's groups, 409 for the job's state), and commands a queued job takes at once.
@Suite struct ControlRouteTests {
    @Test func aCommandToAQueuedJobWaitsForItsRun() throws {
        let api = try InProcessAPI()
        let id = try api.submit(model: api.registerModel(), dataset: api.registerShapes())
        let reply = try api.post("/v1/jobs/\(id)/unfreeze", #"{"groups": ["block2"], "lr": 1e-4}"#)
        #expect(reply.status == 202)
        let command = try #require(reply["id"]?.string)
        #expect(reply.text == #"{"action":"unfreeze","id":"\#(command)","job_id":"\#(id)","object":"command","status":"pending"}"#)
        #expect(try api.store.pendingCommands(job: id).map(\.id) == [command])
        for (action, body) in [("freeze", #"{"last": 2}"#), ("lr", #"{"lr": 1e-4}"#), ("lr", #"{"scale": 0.5, "groups": ["head"]}"#)] {
            let accepted = try api.post("/v1/jobs/\(id)/\(action)", body)
            #expect(accepted.status == 202 && accepted["status"] == .string("pending"), "\(action) \(body): \(accepted.text)")
        }
    }

    @Test func cancellingAQueuedJobIsAppliedAtOnce() throws {
        let api = try InProcessAPI()
        let id = try api.submit(model: api.registerModel(), dataset: api.registerShapes())
        let reply = try api.post("/v1/jobs/\(id)/cancel", "")
        #expect(reply.status == 202 && reply["status"] == .string("applied"), "\(reply.text)")
        #expect(try api.get("/v1/jobs/\(id)")["status"] == .string("cancelled"))
        let late = try api.post("/v1/jobs/\(id)/lr", #"{"lr": 0.1}"#)
        #expect(late.status == 409)
        #expect(late.text == #"{"error":{"code":"illegal_state","message":"job '\#(id)' is cancelled; it takes no more commands"}}"#)
    }

    @Test func theJobsStateDecidesWhichCommandsItTakes() throws {
        let api = try InProcessAPI()
        let id = try api.submit(model: api.registerModel(), dataset: api.registerShapes())
        for action in ["pause", "resume", "stop"] {
            let reply = try api.post("/v1/jobs/\(id)/\(action)", "")
            #expect(reply.status == 409 && reply.errorCode == "illegal_state", "\(action) on a queued job: \(reply.text)")
        }
        // Claimed (running, held by no worker here): pause is taken, resume is not.
        _ = try #require(try api.daemon.jobs.claimNext())
        #expect(try api.post("/v1/jobs/\(id)/pause", "").status == 202)
        #expect(try api.post("/v1/jobs/\(id)/resume", "").errorCode == "illegal_state")
        #expect(try api.post("/v1/jobs/\(id)/stop", "").status == 202)
    }

    @Test func bodiesAreCheckedAgainstTheModelsGroups() throws {
        let api = try InProcessAPI()
        let id = try api.submit(model: api.registerModel(), dataset: api.registerShapes())
        let cases: [(String, String, String)] = [
            ("unfreeze", #"{"groups": ["block9"]}"#, "groups[0]"),
            ("freeze", #"{"last": 9}"#, "last"),
            ("unfreeze", #"{"groups": ["head"], "all": true}"#, "body"),
            ("lr", #"{"lr": "fast"}"#, "lr"),
            ("lr", #"{"scale": 20}"#, "scale"),
            ("pause", #"{"now": true}"#, "now"),
        ]
        for (action, body, field) in cases {
            let reply = try api.post("/v1/jobs/\(id)/\(action)", body)
            #expect(reply.status == 422 && reply.errorCode == "invalid_request", "\(action) \(body): \(reply.text)")
            #expect(reply.errorFields.first == field, "\(action) \(body): \(reply.text)")
        }
        #expect(try api.post("/v1/jobs/\(id)/lr", #"{"lr": 1e-4,}"#).errorCode == "invalid_json")
        #expect(try api.store.pendingCommands(job: id).isEmpty, "nothing refused is stored")
    }

    /// Parked (paused with no run in memory, here by `disk_full`): commands that need the run are
    /// 409; resume and stop are applied by thawd itself.
    @Test func aParkedJobTakesOnlyWhatNeedsNoRun() throws {
        let api = try InProcessAPI()
        let model = try api.registerModel()
        let dataset = try api.registerShapes()
        let id = try api.submit(model: model, dataset: dataset)
        let other = try api.submit(model: model, dataset: dataset)
        for job in [id, other] {
            _ = try #require(try api.daemon.jobs.claimNext())
            _ = try api.store.parkJob(job, failure: JobFailure(code: "disk_full", message: "no space"))
        }
        let lr = try api.post("/v1/jobs/\(id)/lr", #"{"lr": 0.1}"#)
        #expect(lr.status == 409 && lr.errorCode == "illegal_state")
        #expect(lr.text.contains("paused for lack of disk space (disk_full)"), "\(lr.text)")
        let resume = try api.post("/v1/jobs/\(id)/resume", "")
        #expect(resume.status == 202 && resume["status"] == .string("applied"), "\(resume.text)")
        #expect(try api.store.job(id).status == .running)

        let stop = try api.post("/v1/jobs/\(other)/stop", "")
        #expect(stop.status == 202 && stop["status"] == .string("applied"), "\(stop.text)")
        let stopped = try api.get("/v1/jobs/\(other)")
        #expect(stopped["status"] == .string("stopped"))
        #expect(stopped["result"]?.field("stop_reason") == .string("user_stop"))
    }
}
