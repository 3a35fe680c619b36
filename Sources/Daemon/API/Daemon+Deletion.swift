import HTTPServer
import JobAPI

/// `DELETE /v1/jobs/{id}`, `/v1/models/{id}`, `/v1/datasets/{id}`: 200 with
/// `{"id", "object", "deleted": true}`; 404 for an unknown id; 409 while something still needs it
/// (the services say when: `JobService.deleteJob`, `ModelService.delete`, `DatasetService.delete`).
extension Daemon {
    func registerDeletionRoutes(_ router: inout HTTPRouter) {
        route(&router, .DELETE, "/v1/jobs/:id") { [unowned self] in try json(jobs.deleteJob($0.parameter("id"))) }
        route(&router, .DELETE, "/v1/models/:id") { [unowned self] in try json(modelService.delete($0.parameter("id"))) }
        route(&router, .DELETE, "/v1/datasets/:id") { [unowned self] in try json(datasetService.delete($0.parameter("id"))) }
    }
}
