import Foundation
import HTTPServer
import JobAPI
import Store

/// The job routes: each decodes its request, calls the `JobService`, and encodes the answer.
extension Daemon {
    func registerJobRoutes(_ router: inout HTTPRouter) {
        route(&router, .POST, "/v1/jobs") { [unowned self] request in
            let document = try RequestBody.document(request)
            let job = try jobs.submit(document, text: String(decoding: request.body, as: UTF8.self))
            return HTTPResponse.bytes(job.wireBytes(), contentType: "application/json", status: .created)
        }
        // Job objects are written by `JobView.wireBytes()` (the same bytes as `json(_:)`, checked
        // against it in JobViewWireWriterTests, at a fraction of the cost): these are the polled routes.
        route(&router, .GET, "/v1/jobs") { [unowned self] request in
            let page = try jobs.jobs(status: Self.statusFilter(request), page: pageRequest(request))
            return HTTPResponse.bytes(page.wireBytes(), contentType: "application/json")
        }
        // Inline, like /healthz: the read runs on a reader connection (`Store.jobSnapshot`, which
        // waits for neither the Store's queue nor a commit) and what it decodes is memoized, so the
        // handler does not block; the handler-queue hop was most of a poll's cost. A finished job's
        // bytes are served from `JobService.jobBytes`'s memo while the store has not been written.
        route(&router, .GET, "/v1/jobs/:id", inline: true) { [unowned self] in
            HTTPResponse.bytes(try jobs.jobBytes($0.parameter("id")), contentType: "application/json")
        }
        route(&router, .GET, "/v1/jobs/:id/checkpoints") { [unowned self] in try json(jobs.checkpoints(job: $0.parameter("id"))) }
        route(&router, .GET, "/v1/jobs/:id/metrics") { [unowned self] in try metricsHistory($0) }
        for action in ControlCommand.actions {
            route(&router, .POST, "/v1/jobs/:id/\(action)") { [unowned self] request in
                // Malformed JSON is a 400 here as on every other route; the command reader parses it.
                if !RequestBody.isBlank(request.body) { try RequestBody.checkSyntax(request.body) }
                let body = RequestBody.isBlank(request.body) ? [] : request.body
                return try json(jobs.control(action, job: request.parameter("id"), body: body), status: .accepted)
            }
        }
    }

    /// `?status=`: one of the job states.
    private static func statusFilter(_ request: HTTPRequest) throws -> JobStatus? {
        guard let text = request.query("status") else { return nil }
        guard let status = JobStatus(rawValue: text) else {
            throw APIError.invalid(field: "status", "must be one of \(JobStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return status
    }

    /// JSON by default; `?format=csv` or `Accept: text/csv` gives CSV.
    private func metricsHistory(_ request: HTTPRequest) throws -> HTTPResponse {
        let id = try request.parameter("id")
        let format = request.query("format") ?? (request.headers["accept"]?.contains("text/csv") == true ? "csv" : "json")
        switch format {
        case "csv":
            return HTTPResponse.bytes(Array(try jobs.metricsCSV(job: id).utf8), contentType: "text/csv; charset=utf-8")
        case "json":
            return try json(jobs.metrics(job: id))
        default:
            // An unknown job is a 404 before a bad format is a 422, as before.
            _ = try store.job(id)
            throw APIError.invalid(field: "format", "must be json or csv")
        }
    }
}
