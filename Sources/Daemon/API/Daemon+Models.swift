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
        // `?num_classes=` is checked on every request, though only a raw upload uses it: a bad value
        // (`null`, `abc`) is a 422, never silently ignored.
        let queryClasses = try request.queryItems.last { $0.name == "num_classes" }.map { item in
            guard let n = Int(item.value), (1...100_000).contains(n) else {
                throw APIError.invalid(field: "num_classes", "must be an integer in 1...100000")
            }
            return n
        }
        if Self.isRawUpload(request.headers) {
            var fields: [String: JSONValue] = [:]
            for item in request.queryItems { fields[item.name] = .string(item.value) }
            if let queryClasses { fields["num_classes"] = .number(Double(queryClasses)) }
            // The body arrived in a temporary file; it is decoded from a read-only mapping of it.
            let weights = try request.bodyFile.map { try $0.mappedData() } ?? Data(request.body)
            return try uploadModel(fields, weights: weights)
        }
        let body = try RequestBody(request)
        if body.has("from_job") { return try promoteModel(body) }
        if body.has("weights_base64") {
            let text = try body.string("weights_base64")
            guard let bytes = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
                throw APIError.invalid(field: "weights_base64", "is not valid base64")
            }
            return try uploadModel(body.fields, weights: bytes)
        }
        return try builtinModel(body)
    }

    private func builtinModel(_ body: RequestBody) throws -> HTTPResponse {
        try body.allowOnly(["name", "architecture", "num_classes", "seed", "class_names"])
        let name = try body.text("name")
        let architecture = try body.string("architecture")
        let classes = try body.optionalInt("num_classes", range: 1...100_000)
        let seed = try body.optionalInt("seed", range: 0...Int(Int32.max)) ?? 0
        let classNames = try body.optionalNames("class_names", maxCount: 100_000) ?? []
        guard BuiltinArchitectures.names.contains(architecture) else {
            throw APIError.invalid(field: "architecture",
                                   "unknown architecture '\(architecture)'; built-ins are \(BuiltinArchitectures.names.joined(separator: ", "))")
        }
        let spec = try BuiltinArchitectures.spec(named: architecture, classes: classes)
        try jobs.memory.checkModel(spec, field: classes == nil ? "architecture" : "num_classes")
        let model = try Model(spec: spec, seed: UInt64(seed))
        if !classNames.isEmpty && classNames.count != model.classes {
            throw APIError.invalid(field: "class_names", "has \(classNames.count) names for \(model.classes) classes")
        }
        let metadata = ModelMetadata(spec: spec, classNames: classNames)
        let bytes = Safetensors.encode(model.stateDict(), metadata: metadata.dictionary)
        let record = try store.createModel(
            name: name, architecture: architecture,
            spec: ModelDescriptor(metadata: metadata, classes: model.classes).json,
            source: .builtin, weights: .bytes(bytes))
        return try json(modelObject(record), status: .created)
    }

    private func uploadModel(_ fields: [String: JSONValue], weights: Data) throws -> HTTPResponse {
        let body = RequestBody(fields: fields)
        try body.allowOnly(["name", "architecture", "architecture_spec", "num_classes", "weights_base64", "class_names"])
        let name = try body.text("name")
        guard !weights.isEmpty else { throw APIError.invalid(field: "weights", "is empty") }
        let file: (tensors: StateDict, metadata: [String: String])
        do { file = try weights.withUnsafeBytes { try Safetensors.decode(raw: $0) } } catch {
            throw APIError.invalid(field: "weights", "not a valid safetensors file: \(error)")
        }
        // The architecture: given explicitly, else from the file's own metadata, else a built-in name.
        var metadata: ModelMetadata
        if let specObject = fields["architecture_spec"] {
            guard specObject.isObject || specObject.isArray, let data = try? Wire.encode(specObject)
            else { throw APIError.invalid(field: "architecture_spec", "must be a JSON object (an architecture spec)") }
            let spec: ArchitectureSpec
            do { spec = try ArchitectureSpec.decode(json: String(decoding: data, as: UTF8.self)) } catch {
                throw APIError.invalid(field: "architecture_spec", Self.specProblem(error))
            }
            metadata = ModelMetadata(spec: spec)
        } else if let fromFile = try? ModelMetadata(dictionary: file.metadata) {
            metadata = fromFile
        } else if case .string(let architecture)? = fields["architecture"] {
            guard BuiltinArchitectures.names.contains(architecture) else {
                throw APIError.invalid(field: "architecture", "unknown architecture '\(architecture)'")
            }
            let classes = try body.optionalInt("num_classes", range: 1...100_000)
                ?? Self.headOutputs(file.tensors)
            metadata = ModelMetadata(spec: try BuiltinArchitectures.spec(named: architecture, classes: classes))
        } else {
            throw APIError.invalid(field: "architecture",
                                   "the weights carry no Thaw metadata; name a built-in architecture or give architecture_spec")
        }
        if let names = try body.optionalNames("class_names", maxCount: 100_000) { metadata.classNames = names }
        try jobs.memory.checkModel(metadata.spec, field: fields["architecture_spec"] != nil ? "architecture_spec" : "weights")
        let model: Model
        do { model = try Model(spec: metadata.spec) } catch {
            throw APIError.invalid(field: fields["architecture_spec"] == nil ? "architecture" : "architecture_spec", "\(error)")
        }
        do { try model.load(stateDict: file.tensors, strict: true) } catch {
            throw APIError.invalid(field: "weights", "\(error)")
        }
        // Re-encode: what is stored is always F32 with complete metadata, whatever dtype came in.
        let bytes = Safetensors.encode(model.stateDict(), metadata: metadata.dictionary)
        let record = try store.createModel(
            name: name, architecture: metadata.spec.name,
            spec: ModelDescriptor(metadata: metadata, classes: model.classes).json,
            source: .upload, weights: .bytes(bytes))
        return try json(modelObject(record), status: .created)
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

    private func promoteModel(_ body: RequestBody) throws -> HTTPResponse {
        try body.allowOnly(["from_job", "checkpoint", "name"])
        let jobID = try body.text("from_job", TextLimits.identifier)
        let name = try body.text("name")
        let which = try body.optionalString("checkpoint") ?? "best"
        guard which == "best" || which == "last" else {
            throw APIError.invalid(field: "checkpoint", "must be \"best\" or \"last\"")
        }
        guard let job = try? store.job(jobID) else {
            throw APIError.invalid(field: "from_job", "no job with id '\(jobID)'")
        }
        guard let checkpoint = try store.weightsCheckpoint(job: job.id, which: which) else {
            throw APIError(.conflict, code: "no_checkpoint",
                           message: "job '\(jobID)' has no \(which) checkpoint yet (status \(job.status.rawValue))")
        }
        let bytes = try store.readCheckpoint(checkpoint)
        let file = try Safetensors.decode(bytes)
        let metadata = try ModelMetadata(dictionary: file.metadata)
        try jobs.memory.checkModel(metadata.spec, field: "from_job")
        let model = try Model(spec: metadata.spec)
        try model.load(stateDict: file.tensors, strict: true)
        let record = try store.createModel(
            name: name, architecture: metadata.spec.name,
            spec: ModelDescriptor(metadata: metadata, classes: model.classes).json,
            source: .job(job.id), weights: .bytes(bytes))
        return try json(modelObject(record), status: .created)
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
