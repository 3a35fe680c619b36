import Foundation
import HTTP1
import HTTPServer
import JobAPI
import NN
import Training

/// The model routes: decode the request, call `ModelService` once, encode its answer.
extension Daemon {
    func registerModelRoutes(_ router: inout HTTPRouter) {
        // A raw safetensors body has its own limit and goes to a temporary file as it arrives;
        // JSON bodies (built-ins, weights_base64, from_job) keep the JSON limit.
        let upload = HTTPBodyPolicy(maxBytes: configuration.maxUploadBodyBytes,
                                    storage: .file(directory: configuration.uploadsDirectory))
        route(&router, .POST, "/v1/models", body: { head in Self.isRawUpload(head.headers) ? upload : nil }) { [unowned self] in
            try json(modelService.create(createModelRequest($0)), status: .created)
        }
        route(&router, .GET, "/v1/models") { [unowned self] in try json(modelService.models(page: pageRequest($0))) }
        route(&router, .GET, "/v1/models/:id") { [unowned self] in try json(modelService.model($0.parameter("id"))) }
        route(&router, .GET, "/v1/models/:id/weights") { [unowned self] request in
            let format = try weightsFormat(request)
            let weights = try modelService.weights(request.parameter("id"))
            return try download(weights.artifact, request: request, stem: weights.stem, format: format)
        }
    }

    /// A raw upload is `application/octet-stream` (the safetensors bytes as the body, `?name=`);
    /// anything else is a JSON body.
    static func isRawUpload(_ headers: HTTPHeaders) -> Bool {
        headers["content-type"]?.lowercased().hasPrefix("application/octet-stream") ?? false
    }

    /// The body as one of the three ways in (docs/api.md), or the 422 listing its problems.
    private func createModelRequest(_ request: HTTPRequest) throws -> CreateModelRequest {
        if Self.isRawUpload(request.headers) {
            // The body arrived in a temporary file; it is decoded from a read-only mapping of it.
            let weights = try request.bodyFile.map { try $0.mappedData() } ?? Data(request.body)
            let query = request.queryItems.map { (name: $0.name, value: $0.value) }
            return .upload(try CreateModelRequest.readUpload(query: query, weights: weights).request())
        }
        // `?num_classes=` is checked on every request, though only a raw upload uses it: a bad
        // value (`null`, `abc`) is a 422, never silently ignored.
        return try CreateModelRequest.read(RequestBody.document(request), architectures: BuiltinArchitectures.names,
                                           numClassesQuery: request.queryItems.last { $0.name == "num_classes" }?.value).request()
    }
}
