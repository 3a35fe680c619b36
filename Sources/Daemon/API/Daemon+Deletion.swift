import Data
import Foundation
import HTTPServer
import JobAPI
import Store

/// `DELETE /v1/jobs/{id}`, `/v1/models/{id}`, `/v1/datasets/{id}`: 200 with
/// `{"id", "object", "deleted": true}`; 404 for an unknown id; 409 while something still needs it.
extension Daemon {
    func registerDeletionRoutes(_ router: inout HTTPRouter) {
        route(&router, .DELETE, "/v1/jobs/:id") { [unowned self] in try json(jobs.deleteJob($0.parameter("id"))) }
        route(&router, .DELETE, "/v1/models/:id") { [unowned self] in try deleteModel($0.parameter("id")) }
        route(&router, .DELETE, "/v1/datasets/:id") { [unowned self] in try deleteDataset($0.parameter("id")) }
    }

    /// 409 while a queued, running or paused job trains from it; finished jobs that did keep their
    /// spec (the job object still names the model id).
    private func deleteModel(_ id: String) throws -> HTTPResponse {
        try store.deleteModel(id)
        return try deleted(id, "model")
    }

    /// Forgets a registered dataset (its image files are the user's and stay). 409 while a queued,
    /// running or paused job names it, and for the built-in fashion-mnist.
    private func deleteDataset(_ id: String) throws -> HTTPResponse {
        if id == FashionMNIST.name {
            throw APIError(.conflict, code: "conflict", message: "dataset '\(id)' is built in and cannot be deleted")
        }
        let path = try store.dataset(id).path
        try store.deleteDataset(id, usedAt: "$.dataset.id")
        datasets.forget(path: path)
        return try deleted(id, "dataset")
    }

    private func deleted(_ id: String, _ object: String) throws -> HTTPResponse {
        try json(DeletedView(id: id, object: object))
    }
}
