import HTTPServer
import JobAPI

/// The dataset routes: decode the request, call `DatasetService` once, encode its answer.
extension Daemon {
    func registerDatasetRoutes(_ router: inout HTTPRouter) {
        route(&router, .POST, "/v1/datasets") { [unowned self] in
            try json(datasetService.register(CreateDatasetRequest.read(RequestBody.document($0)).request()), status: .created)
        }
        route(&router, .GET, "/v1/datasets") { [unowned self] in try json(datasetService.datasets(page: pageRequest($0))) }
        route(&router, .GET, "/v1/datasets/:id") { [unowned self] in try json(datasetService.dataset($0.parameter("id"))) }
    }
}
