import Foundation
import JobAPI
import NN
import Store
import Training

/// The models' side of the daemon, owned by nothing HTTP: create (a built-in with fresh weights, an
/// upload, or the promotion of a job's checkpoint), view, list, the stored weights, delete. Built from
/// its explicit dependencies; routes decode a request, call one method, encode the answer. Refusals
/// are `JobServiceError`s, the service layer's one error type (store errors pass through), mapped to
/// HTTP by `APIError(_:)`.
final class ModelService: Sendable {
    let store: Store
    /// `--max-job-memory`: a model whose registration estimate exceeds it is refused.
    let memory: MemoryBudget

    init(store: Store, memory: MemoryBudget) {
        self.store = store
        self.memory = memory
    }

    /// Three ways in (docs/api.md): a built-in architecture with fresh weights; an upload (the
    /// weights' bytes, from JSON's `weights_base64` or a raw safetensors body); or the promotion of a
    /// finished job's checkpoint (`from_job`).
    func create(_ request: CreateModelRequest) throws -> ModelView {
        let model = switch request {
        case .builtin(let builtin): try builtinModel(builtin)
        case .upload(let upload): try uploadModel(upload)
        case .promote(let promote): try promoteModel(promote)
        }
        return try view(model)
    }

    func model(_ id: String) throws -> ModelView { try view(store.model(id)) }

    func models(page: PageRequest) throws -> ListPage<ModelView> {
        let page = try store.models(page: page)
        return ListPage(try page.data.map(view), hasMore: page.hasMore)
    }

    /// The model's stored safetensors file (the same bytes a job starting from it loads) and the
    /// download's file name without its extension (the model id), or 404 while it has none.
    func weights(_ id: String) throws -> (artifact: ArtifactRef, stem: String) {
        let model = try store.model(id)
        guard let weights = model.weights else {
            throw JobServiceError.missing(code: "weights_not_found", message: "model '\(model.id)' has no stored weights")
        }
        return (weights, model.id)
    }

    /// The store refuses (409) while a queued, running or paused job trains from it; finished jobs
    /// that did keep their spec (the job object still names the model id).
    func delete(_ id: String) throws -> DeletedView {
        try store.deleteModel(id)
        return DeletedView(id: id, object: "model")
    }

    private func builtinModel(_ body: CreateModelRequest.Builtin) throws -> ModelRecord {
        let spec = try BuiltinArchitectures.spec(named: body.architecture, classes: body.numClasses)
        try memory.checkModel(spec, field: body.numClasses == nil ? "architecture" : "num_classes")
        let model = try Model(spec: spec, seed: UInt64(body.seed))
        if !body.classNames.isEmpty && body.classNames.count != model.classes {
            throw JobServiceError.invalid(field: "class_names", "has \(body.classNames.count) names for \(model.classes) classes")
        }
        let metadata = ModelMetadata(spec: spec, classNames: body.classNames)
        let bytes = Safetensors.encode(model.stateDict(), metadata: metadata.dictionary)
        return try store.createModel(
            name: body.name, architecture: body.architecture,
            spec: ModelDescriptor(metadata: metadata, classes: model.classes).json,
            source: .builtin, weights: .bytes(bytes))
    }

    private func uploadModel(_ body: CreateModelRequest.Upload) throws -> ModelRecord {
        guard !body.weights.isEmpty else { throw JobServiceError.invalid(field: "weights", "is empty") }
        let file: (tensors: StateDict, metadata: [String: String])
        do { file = try body.weights.withUnsafeBytes { try Safetensors.decode(raw: $0) } } catch {
            throw JobServiceError.invalid(field: "weights", "not a valid safetensors file: \(error)")
        }
        // The architecture: given explicitly, else from the file's own metadata, else a built-in name.
        var metadata: ModelMetadata
        if let specObject = body.architectureSpec {
            let text = String(decoding: try Wire.encode(specObject), as: UTF8.self)
            let spec: ArchitectureSpec
            do { spec = try ArchitectureSpec.decode(json: text) } catch {
                throw JobServiceError.invalid(field: "architecture_spec", Self.specProblem(error))
            }
            metadata = ModelMetadata(spec: spec)
        } else if let fromFile = try? ModelMetadata(dictionary: file.metadata) {
            metadata = fromFile
        } else if let architecture = body.architecture {
            guard BuiltinArchitectures.names.contains(architecture) else {
                throw JobServiceError.invalid(field: "architecture", "unknown architecture '\(architecture)'")
            }
            let classes = body.numClasses ?? Self.headOutputs(file.tensors)
            metadata = ModelMetadata(spec: try BuiltinArchitectures.spec(named: architecture, classes: classes))
        } else {
            throw JobServiceError.invalid(field: "architecture",
                                          "the weights carry no Thaw metadata; name a built-in architecture or give architecture_spec")
        }
        if let names = body.classNames { metadata.classNames = names }
        try memory.checkModel(metadata.spec, field: body.architectureSpec != nil ? "architecture_spec" : "weights")
        let model: Model
        do { model = try Model(spec: metadata.spec) } catch {
            throw JobServiceError.invalid(field: body.architectureSpec == nil ? "architecture" : "architecture_spec", "\(error)")
        }
        do { try model.load(stateDict: file.tensors, strict: true) } catch {
            throw JobServiceError.invalid(field: "weights", "\(error)")
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
            throw JobServiceError.invalid(field: "from_job", "no job with id '\(body.jobID)'")
        }
        guard let checkpoint = try store.weightsCheckpoint(job: job.id, which: which) else {
            throw JobServiceError.conflict(.noCheckpoint,
                                           message: "job '\(body.jobID)' has no \(which) checkpoint yet (status \(job.status.rawValue))")
        }
        let bytes = try store.readCheckpoint(checkpoint)
        let file = try Safetensors.decode(bytes)
        let metadata = try ModelMetadata(dictionary: file.metadata)
        try memory.checkModel(metadata.spec, field: "from_job")
        let model = try Model(spec: metadata.spec)
        try model.load(stateDict: file.tensors, strict: true)
        return try store.createModel(
            name: body.name, architecture: metadata.spec.name,
            spec: ModelDescriptor(metadata: metadata, classes: model.classes).json,
            source: .job(job.id), weights: .bytes(bytes))
    }

    func view(_ record: ModelRecord) throws -> ModelView {
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
