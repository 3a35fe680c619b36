import Foundation
import HTTPServer
import JobAPI
import Store

/// The experiment routes (docs/api.md, "Experiments"): each decodes its request, calls the
/// `ExperimentService`, and encodes the answer.
extension Daemon {
    var experiments: ExperimentService { ExperimentService(jobs: jobs) }

    func registerExperimentRoutes(_ router: inout HTTPRouter) {
        route(&router, .POST, "/v1/experiments") { [unowned self] request in
            let document = try RequestBody.document(request)
            return try json(experiments.create(document, text: String(decoding: request.body, as: UTF8.self)), status: .created)
        }
        route(&router, .GET, "/v1/experiments") { [unowned self] request in
            try json(experiments.experiments(page: pageRequest(request)))
        }
        route(&router, .GET, "/v1/experiments/:id") { [unowned self] in try json(experiments.experiment($0.parameter("id"))) }
        route(&router, .POST, "/v1/experiments/:id/cancel") { [unowned self] request in
            // Like a job's cancel: no body, or `{}`.
            switch try RequestBody.document(request, required: false) {
            case .object(let fields) where fields.isEmpty: break
            case .object(let fields):
                throw APIError.invalid(fields.keys.sorted().map { APIError.Detail(field: $0, message: "unknown field (cancel takes no body)") })
            default: throw APIError.invalid(field: "body", "must be empty or {}")
            }
            return try json(experiments.cancel(request.parameter("id")), status: .accepted)
        }
    }
}
