import Data
import Foundation
import JobAPI
import Store
import Training

/// The datasets' side of the daemon, owned by nothing HTTP: register an image folder under the
/// dataset root, view, list (the built-in first), forget. Built from the store and the dataset
/// catalog (which knows the root and the built-in's folder); routes decode a request, call one
/// method, encode the answer. Refusals are `JobServiceError`s, the service layer's one error type
/// (store errors pass through), mapped to HTTP by `APIError(_:)`.
final class DatasetService: Sendable {
    let store: Store
    let catalog: DatasetCatalog

    init(store: Store, catalog: DatasetCatalog) {
        self.store = store
        self.catalog = catalog
    }

    /// Resolves the path inside the dataset root and decodes the folder; the catalog names paths
    /// relative to that root, so its errors are the field `path`'s.
    func register(_ body: CreateDatasetRequest) throws -> DatasetView {
        let resolved: String
        do { resolved = try DatasetPathResolver(root: catalog.datasetRoot).resolve(body.path) } catch {
            throw JobServiceError.invalid(field: "path", error.description)
        }
        do {
            return view(try catalog.register(name: body.name, path: resolved, channels: body.channels, size: body.imageSize))
        } catch let error as DataError {
            throw JobServiceError.invalid(field: "path", error.description)
        }
    }

    func dataset(_ id: String) throws -> DatasetView { view(try catalog.info(id: id)) }

    /// The built-in is the first item of the first page and takes one of its `limit` slots;
    /// `after=fashion-mnist` continues with the registered datasets.
    func datasets(page request: PageRequest) throws -> ListPage<DatasetView> {
        var request = request
        var data: [DatasetView] = []
        if request.after == nil, catalog.fashionMNISTInstalled {
            data.append(view(try catalog.info(id: FashionMNIST.name)))
            request.limit -= 1
        } else if request.after == FashionMNIST.name {
            request.after = nil
        }
        guard request.limit > 0 else {
            let rest = try store.datasets(page: PageRequest(limit: 1))
            return ListPage(data, hasMore: !rest.data.isEmpty)
        }
        let page = try store.datasets(page: request)
        data += try page.data.map { view(try DatasetCatalog.info($0)) }
        return ListPage(data, hasMore: page.hasMore)
    }

    /// Forgets a registered dataset (its image files are the user's and stay). 409 while a queued,
    /// running or paused job names it (the store's refusal), and for the built-in fashion-mnist.
    func delete(_ id: String) throws -> DeletedView {
        if id == FashionMNIST.name {
            throw JobServiceError.conflict(.inUse, message: "dataset '\(id)' is built in and cannot be deleted")
        }
        let path = try store.dataset(id).path
        try store.deleteDataset(id, usedAt: "$.dataset.id")
        catalog.forget(path: path)
        return DeletedView(id: id, object: "dataset")
    }

    func view(_ info: DatasetCatalog.Info) -> DatasetView {
        DatasetView(id: info.id, name: info.name, builtin: info.builtin, classes: info.classNames,
                    trainCounts: info.trainCounts, testCounts: info.testCounts,
                    skipped: info.skipped.map { .init(path: catalog.publicPath($0.path), reason: $0.reason, kind: $0.kind.rawValue) },
                    path: info.path.map(catalog.publicPath), createdAt: info.createdAt.map { Int($0.timeIntervalSince1970) })
    }
}
