import Foundation
import HTTP1
import HTTPServer
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
            let stored = try store.events(job: job.id, after: after, limit: limit + 1)
            let data: [[String: Any]] = stored.prefix(limit).map { e in
                [
                    "id": e.id, "type": e.type, "created_at": e.createdAt.timeIntervalSince1970,
                    "data": (try? JSONSerialization.jsonObject(with: Data(e.payload.utf8), options: .fragmentsAllowed)) ?? NSNull(),
                ]
            }
            return try json(["object": "list", "data": data, "has_more": stored.count > limit])
        }
        let store = self.store
        let jobID = job.id
        return HTTPResponse.eventStream { writer in
            // One thread per stream: it blocks in the store's event wait, never on a shared queue.
            let thread = Thread {
                var last = after
                while !writer.isClosed {
                    let fresh: [EventRecord]
                    do { fresh = try store.waitForEvents(job: jobID, after: last, timeout: 1) } catch {
                        writer.finish(final: ServerSentEvent(event: "error", data: #"{"message":"the event log could not be read"}"#))
                        return
                    }
                    for event in fresh {
                        guard writer.send(id: String(event.id), event: event.type, data: event.payload) else { return }
                        last = event.id
                    }
                    if fresh.isEmpty, let current = try? store.job(jobID), current.status.isTerminal,
                       (try? store.lastEventID(job: jobID)) ?? last <= last {
                        writer.finish(final: ServerSentEvent(event: "end", data: #"{"status":"\#(current.status.rawValue)"}"#))
                        return
                    }
                }
            }
            thread.name = "thaw-sse-\(jobID)"
            thread.start()
        }
    }

    /// The job's best or last weights as safetensors (PyTorch state_dict names), with the SHA-256
    /// verified against the store as the ETag.
    private func weights(_ request: HTTPRequest) throws -> HTTPResponse {
        let job = try store.job(request.parameter("id"))
        let which = request.query("checkpoint") ?? "best"
        guard which == "best" || which == "last" else {
            throw APIError.invalid(field: "checkpoint", "must be best or last")
        }
        guard let checkpoint = try weightsCheckpoint(job: job.id, which: which) else {
            throw APIError(.notFound, code: "checkpoint_not_found",
                           message: "job '\(job.id)' has no \(which) checkpoint yet (status \(job.status.rawValue))")
        }
        let etag = "\"\(checkpoint.artifact.sha256)\""
        if let match = request.headers["if-none-match"], match.split(separator: ",").contains(where: {
            $0.trimmingCharacters(in: .whitespaces) == etag || $0.trimmingCharacters(in: .whitespaces) == "*"
        }) {
            return HTTPResponse(status: .notModified, headers: ["ETag": etag])
        }
        let bytes = try store.readCheckpoint(checkpoint)  // verifies the SHA-256; a mismatch is an error
        var response = HTTPResponse.bytes(bytes, contentType: "application/octet-stream")
        response.headers.set("ETag", etag)
        response.headers.set("Content-Disposition", "attachment; filename=\"\(job.id)-\(which).safetensors\"")
        response.headers.set("X-Thaw-Epoch", String(checkpoint.epoch))
        return response
    }
}
