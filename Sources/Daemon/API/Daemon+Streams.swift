import Foundation
import HTTP1
import HTTPServer
import JobAPI
import Store

extension Daemon {
    func registerStreamRoutes(_ router: inout HTTPRouter) {
        route(&router, .GET, "/v1/jobs/:id/events") { [unowned self] in try events($0) }
        route(&router, .GET, "/v1/jobs/:id/weights") { [unowned self] in try weights($0) }
    }

    /// Server-Sent Events of a job's log, from `Last-Event-ID` (or `?after=`) on, live until the
    /// job ends (then a final `end` event); `?format=json` returns the stored events as a list.
    private func events(_ request: HTTPRequest) throws -> HTTPResponse {
        let job = try store.job(request.parameter("id"))
        let resumeFrom = request.headers["last-event-id"] ?? request.query("after") ?? "0"
        guard let after = Int(resumeFrom.trimmingCharacters(in: .whitespaces)), after >= 0 else {
            throw APIError.invalid(field: "Last-Event-ID", "must be a non-negative event id")
        }
        if request.query("format") == "json" {
            let limit = try request.query("limit").map { text -> Int in
                guard let n = Int(text), (1...5_000).contains(n) else {
                    throw APIError.invalid(field: "limit", "must be an integer in 1...5000")
                }
                return n
            } ?? 1_000
            return try json(jobs.events(job: job.id, after: after, limit: limit))
        }
        guard let ticket = eventHub.reserveStream() else {
            var response = APIError(.serviceUnavailable, code: "too_many_streams",
                                    message: "\(eventHub.limiter.limit) event streams are open (max_streams); retry later").response
            response.headers.set("Retry-After", "5")
            return response
        }
        let hub = eventHub
        let jobID = job.id
        // No thread per stream: the job's publisher writes history, then live events, to the writer.
        return HTTPResponse.eventStream { writer in
            hub.subscribe(job: jobID, after: after, sink: writer, ticket: ticket)
        }
    }

    /// The job's best or last weights as safetensors (PyTorch state_dict names), with the SHA-256
    /// verified against the store as the ETag, or (`?format=onnx`) as ONNX.
    private func weights(_ request: HTTPRequest) throws -> HTTPResponse {
        let job = try store.job(request.parameter("id"))
        let which = request.query("checkpoint") ?? "best"
        guard which == "best" || which == "last" else {
            throw APIError.invalid(field: "checkpoint", "must be best or last")
        }
        let format = try weightsFormat(request)
        // A `best` replaced between reading its row and opening its file has just been unlinked:
        // look again (the new one is complete). Once open, the download is immune (`OpenedArtifact`).
        var attempt = 1
        while true {
            let checkpoint = try jobs.weightsCheckpoint(job: job, which: which)
            do {
                return try download(checkpoint.artifact, request: request, stem: "\(job.id)-\(which)", format: format,
                                    extraHeaders: ["X-Thaw-Epoch": String(checkpoint.epoch)])
            } catch StoreError.artifactMissing where attempt < 5 {
                attempt += 1
            }
        }
    }
}
