import Data
import Foundation
import HTTPServer
import Store

/// `DELETE /v1/jobs/{id}`, `/v1/models/{id}`, `/v1/datasets/{id}`: 200 with
/// `{"id", "object", "deleted": true}`; 404 for an unknown id; 409 while something still needs it.
extension Daemon {
    func registerDeletionRoutes(_ router: inout HTTPRouter) {
        route(&router, .DELETE, "/v1/jobs/:id") { [unowned self] in try deleteJob($0.parameter("id")) }
        route(&router, .DELETE, "/v1/models/:id") { [unowned self] in try deleteModel($0.parameter("id")) }
        route(&router, .DELETE, "/v1/datasets/:id") { [unowned self] in try deleteDataset($0.parameter("id")) }
    }

    /// A finished job only (succeeded, stopped, failed, cancelled): its events, commands, metrics,
    /// checkpoint rows and files go with it. Models promoted from it stay.
    private func deleteJob(_ id: String) throws -> HTTPResponse {
        try workers.withOwnership(of: id) { held in
            // A final status is written just before its worker lets go of the job; a job that is not
            // final gets the store's own answer (cancel or stop it first).
            if held, try store.job(id).status.isTerminal {
                throw APIError(.conflict, code: "conflict", message: "job '\(id)': a worker still holds it; try again in a moment")
            }
            try store.deleteJob(id)
        }
        return try deleted(id, "job")
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
        try json(["id": id, "object": object, "deleted": true])
    }
}
