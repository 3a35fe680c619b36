import Data
import Foundation
import HTTPServer
import JobAPI
import Store
import Training

extension Daemon {
    func registerDatasetRoutes(_ router: inout HTTPRouter) {
        route(&router, .POST, "/v1/datasets") { [unowned self] in try createDataset($0) }
        route(&router, .GET, "/v1/datasets") { [unowned self] in try listDatasets($0) }
        route(&router, .GET, "/v1/datasets/:id") { [unowned self] in
            try json(datasetObject(datasets.info(id: $0.parameter("id"))))
        }
    }

    private func createDataset(_ request: HTTPRequest) throws -> HTTPResponse {
        let body = try CreateDatasetRequest.read(RequestBody.document(request)).request()
        return try json(datasetObject(registerDataset(body)), status: .created)
    }

    /// Resolves the path inside the dataset root and decodes the folder; the catalog names paths
    /// relative to that root, so its errors are the field `path`'s.
    private func registerDataset(_ body: CreateDatasetRequest) throws -> DatasetCatalog.Info {
        let resolved: String
        do { resolved = try DatasetPathResolver(root: configuration.resolvedDatasetRoot).resolve(body.path) } catch {
            throw APIError.invalid(field: "path", error.description)
        }
        do {
            return try datasets.register(name: body.name, path: resolved, channels: body.channels, size: body.imageSize)
        } catch let error as DataError {
            throw APIError.invalid(field: "path", error.description)
        }
    }

    private func listDatasets(_ request: HTTPRequest) throws -> HTTPResponse {
        var request = try pageRequest(request)
        var data: [DatasetView] = []
        // The built-in is the first item of the first page and takes one of its `limit` slots;
        // `after=fashion-mnist` continues with the registered datasets.
        if request.after == nil, datasets.fashionMNISTInstalled {
            data.append(datasetObject(try datasets.info(id: FashionMNIST.name)))
            request.limit -= 1
        } else if request.after == FashionMNIST.name {
            request.after = nil
        }
        guard request.limit > 0 else {
            let rest = try store.datasets(page: PageRequest(limit: 1))
            return try json(ListPage(data, hasMore: !rest.data.isEmpty))
        }
        let page = try store.datasets(page: request)
        data += try page.data.map { datasetObject(try DatasetCatalog.info($0)) }
        return try json(ListPage(data, hasMore: page.hasMore))
    }

    func datasetObject(_ info: DatasetCatalog.Info) -> DatasetView {
        DatasetView(id: info.id, name: info.name, builtin: info.builtin, classes: info.classNames,
                    trainCounts: info.trainCounts, testCounts: info.testCounts,
                    skipped: info.skipped.map { .init(path: datasets.publicPath($0.path), reason: $0.reason, kind: $0.kind.rawValue) },
                    path: info.path.map(datasets.publicPath), createdAt: info.createdAt.map { Int($0.timeIntervalSince1970) })
    }
}
