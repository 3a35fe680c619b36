import Foundation
import HTTP1
import HTTPServer
import JobAPI
import NN
import Store
import Training

extension Daemon {
    func registerModelRoutes(_ router: inout HTTPRouter) {
        // A raw safetensors body has its own limit and goes to a temporary file as it arrives;
        // JSON bodies (built-ins, weights_base64, from_job) keep the JSON limit.
        let upload = HTTPBodyPolicy(maxBytes: configuration.maxUploadBodyBytes,
                                    storage: .file(directory: configuration.uploadsDirectory))
        route(&router, .POST, "/v1/models", body: { head in Self.isRawUpload(head.headers) ? upload : nil }) { [unowned self] in
            try createModel($0)
        }
        route(&router, .GET, "/v1/models") { [unowned self] in try listModels($0) }
        route(&router, .GET, "/v1/models/:id") { [unowned self] in
            try json(modelObject(store.model($0.parameter("id"))))
        }
        route(&router, .GET, "/v1/models/:id/weights") { [unowned self] in try modelWeights($0) }
    }

    /// The model's stored safetensors file (the same bytes a job starting from it loads).
    private func modelWeights(_ request: HTTPRequest) throws -> HTTPResponse {
        let model = try store.model(request.parameter("id"))
        guard let weights = model.weights else {
            throw APIError(.notFound, code: "weights_not_found", message: "model '\(model.id)' has no stored weights")
        }
        return try download(weights, request: request, filename: "\(model.id).safetensors")
    }

    /// Three ways in (docs/api.md): a built-in architecture with fresh weights; an upload (JSON with
    /// `weights_base64`, or the raw safetensors bytes as the body with `?name=`); or the promotion of
    /// a finished job's checkpoint (`from_job`).
    static func isRawUpload(_ headers: HTTPHeaders) -> Bool {
        headers["content-type"]?.lowercased().hasPrefix("application/octet-stream") ?? false
    }

    func createModel(_ request: HTTPRequest) throws -> HTTPResponse {
        let model: ModelRecord
        if Self.isRawUpload(request.headers) {
            // The body arrived in a temporary file; it is decoded from a read-only mapping of it.
            let weights = try request.bodyFile.map { try $0.mappedData() } ?? Data(request.body)
            let query = request.queryItems.map { (name: $0.name, value: $0.value) }
            model = try uploadModel(CreateModelRequest.readUpload(query: query, weights: weights).request())
        } else {
            // `?num_classes=` is checked on every request, though only a raw upload uses it: a bad
            // value (`null`, `abc`) is a 422, never silently ignored.
            let body = try CreateModelRequest.read(RequestBody.document(request), architectures: BuiltinArchitectures.names,
                                                   numClassesQuery: request.queryItems.last { $0.name == "num_classes" }?.value).request()
            switch body {
            case .builtin(let builtin): model = try builtinModel(builtin)
            case .upload(let upload): model = try uploadModel(upload)
            case .promote(let promote): model = try promoteModel(promote)
            }
        }
        return try json(modelObject(model), status: .created)
    }

    private func builtinModel(_ body: CreateModelRequest.Builtin) throws -> ModelRecord {
        let spec = try BuiltinArchitectures.spec(named: body.architecture, classes: body.numClasses)
        try jobs.memory.checkModel(spec, field: body.numClasses == nil ? "architecture" : "num_classes")
        let model = try Model(spec: spec, seed: UInt64(body.seed))
        if !body.classNames.isEmpty && body.classNames.count != model.classes {
            throw APIError.invalid(field: "class_names", "has \(body.classNames.count) names for \(model.classes) classes")
        }
        let metadata = ModelMetadata(spec: spec, classNames: body.classNames)
        let bytes = Safetensors.encode(model.stateDict(), metadata: metadata.dictionary)
        return try store.createModel(
            name: body.name, architecture: body.architecture,
            spec: ModelDescriptor(metadata: metadata, classes: model.classes).json,
            source: .builtin, weights: .bytes(bytes))
    }

    private func uploadModel(_ body: CreateModelRequest.Upload) throws -> ModelRecord {
        guard !body.weights.isEmpty else { throw APIError.invalid(field: "weights", "is empty") }
        let file: (tensors: StateDict, metadata: [String: String])
        do { file = try body.weights.withUnsafeBytes { try Safetensors.decode(raw: $0) } } catch {
            throw APIError.invalid(field: "weights", "not a valid safetensors file: \(error)")
        }
        // The architecture: given explicitly, else from the file's own metadata, else a built-in name.
        var metadata: ModelMetadata
        if let specObject = body.architectureSpec {
            let text = String(decoding: try Wire.encode(specObject), as: UTF8.self)
            let spec: ArchitectureSpec
            do { spec = try ArchitectureSpec.decode(json: text) } catch {
                throw APIError.invalid(field: "architecture_spec", Self.specProblem(error))
            }
            metadata = ModelMetadata(spec: spec)
        } else if let fromFile = try? ModelMetadata(dictionary: file.metadata) {
            metadata = fromFile
        } else if let architecture = body.architecture {
            guard BuiltinArchitectures.names.contains(architecture) else {
                throw APIError.invalid(field: "architecture", "unknown architecture '\(architecture)'")
            }
            let classes = body.numClasses ?? Self.headOutputs(file.tensors)
            metadata = ModelMetadata(spec: try BuiltinArchitectures.spec(named: architecture, classes: classes))
        } else {
            throw APIError.invalid(field: "architecture",
                                   "the weights carry no Thaw metadata; name a built-in architecture or give architecture_spec")
        }
        if let names = body.classNames { metadata.classNames = names }
        try jobs.memory.checkModel(metadata.spec, field: body.architectureSpec != nil ? "architecture_spec" : "weights")
        let model: Model
        do { model = try Model(spec: metadata.spec) } catch {
            throw APIError.invalid(field: body.architectureSpec == nil ? "architecture" : "architecture_spec", "\(error)")
        }
        do { try model.load(stateDict: file.tensors, strict: true) } catch {
            throw APIError.invalid(field: "weights", "\(error)")
        }
        // Re-encode: what is stored is always F32 with complete metadata, whatever dtype came in.
        let bytes = Safetensors.encode(model.stateDict(), metadata: metadata.dictionary)
        return try store.createModel(
            name: body.name, architecture: metadata.spec.name,
            spec: ModelDescriptor(metadata: metadata, classes: model.classes).json,
            source: .upload, weights: .bytes(bytes))
    }

    /// "input_shape: required" from "invalid architecture spec: input_shape: required".
    static func specProblem(_ error: ArchitectureError) -> String {
        if case .invalidSpec(let reason) = error { return reason }
        return error.description
    }

    /// The first dimension of the last 2-D weight named like a classifier (`fc.weight`,
    /// `classifier.6.weight`), which is how many classes a foreign state_dict's head has.
    static func headOutputs(_ tensors: StateDict) -> Int? {
        tensors.entries.last { $0.name.hasSuffix(".weight") && $0.tensor.shape.count == 2 }?.tensor.shape.first
    }

    private func promoteModel(_ body: CreateModelRequest.Promote) throws -> ModelRecord {
        let which = body.checkpoint.rawValue
        guard let job = try? store.job(body.jobID) else {
            throw APIError.invalid(field: "from_job", "no job with id '\(body.jobID)'")
        }
        guard let checkpoint = try store.weightsCheckpoint(job: job.id, which: which) else {
            throw APIError(.conflict, code: "no_checkpoint",
                           message: "job '\(body.jobID)' has no \(which) checkpoint yet (status \(job.status.rawValue))")
        }
        let bytes = try store.readCheckpoint(checkpoint)
        let file = try Safetensors.decode(bytes)
        let metadata = try ModelMetadata(dictionary: file.metadata)
        try jobs.memory.checkModel(metadata.spec, field: "from_job")
        let model = try Model(spec: metadata.spec)
        try model.load(stateDict: file.tensors, strict: true)
        return try store.createModel(
            name: body.name, architecture: metadata.spec.name,
            spec: ModelDescriptor(metadata: metadata, classes: model.classes).json,
            source: .job(job.id), weights: .bytes(bytes))
    }

    private func listModels(_ request: HTTPRequest) throws -> HTTPResponse {
        let page = try store.models(page: pageRequest(request))
        return try json(ListPage(try page.data.map(modelObject), hasMore: page.hasMore))
    }

    func modelObject(_ record: ModelRecord) throws -> ModelView {
        let descriptor = try ModelDescriptor.decode(record.spec)
        let source: ModelView.Source = switch record.source {
        case .builtin: .builtin
        case .upload: .upload
        case .job(let id): .job(id: id)
        }
        return ModelView(id: record.id, name: record.name, architecture: record.architecture, numClasses: descriptor.classes,
                         groups: descriptor.spec.groups, inputShape: descriptor.spec.inputShape,
                         classNames: descriptor.classNames, source: source,
                         createdAt: Int(record.createdAt.timeIntervalSince1970), mean: descriptor.mean, std: descriptor.std,
                         weights: record.weights.map { .init(sha256: $0.sha256, size: $0.size) })
    }
}
