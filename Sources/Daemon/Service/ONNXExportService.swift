import Foundation
import JobAPI
import NN
import ONNX
import Store

/// ONNX downloads: a stored safetensors artifact (a job's checkpoint or a model's weights) rebuilt
/// as its model and lowered to ONNX (`ONNX.ONNXExport`), on every request. Nothing is stored: the
/// conversion is a pure function of the artifact's bytes and the exporter, so the ETag is derived
/// from the artifact's SHA-256 and `ONNXExport.exporterVersion`, and a conditional request is
/// answered without converting. Refusals are `JobServiceError`s like the other services'.
final class ONNXExportService: Sendable {
    let store: Store
    /// The model is built in memory to be exported: the same `--max-job-memory` check as registering it.
    let memory: MemoryBudget
    /// One conversion at a time: each holds the whole model and its file in memory (vgg16: about
    /// 1.1 GB together), so a burst of downloads queues here instead of multiplying that past the
    /// memory budget. A conversion takes seconds at most, so a queued request waits, never hangs.
    private let converting = NSLock()

    init(store: Store, memory: MemoryBudget) {
        self.store = store
        self.memory = memory
    }

    /// The ETag of the ONNX file converted from `artifact`.
    static func etag(of artifact: ArtifactRef) -> String {
        "\"onnx\(ONNXExport.exporterVersion)-\(artifact.sha256)\""
    }

    /// The ONNX file of the model in `artifact`; a layer ONNX cannot express is a 422 naming it.
    func export(_ artifact: ArtifactRef) throws -> [UInt8] {
        converting.lock()
        defer { converting.unlock() }
        let file = try Safetensors.decode(try store.readArtifact(artifact))
        let metadata = try ModelMetadata(dictionary: file.metadata)
        try memory.checkModel(metadata.spec, field: WeightsFormat.queryField)
        let model = try Model(spec: metadata.spec)
        try model.load(stateDict: file.tensors, strict: true)
        do {
            return try ONNXExport.model(model, metadata: metadata)
        } catch {
            throw Self.refusal(error, architecture: metadata.spec.name)
        }
    }

    /// The 422 for a model ONNX cannot express: `format` is the request's part that asked for it,
    /// the message names the layer. (Every layer kind a spec can name has a lowering today, so only
    /// a layer type added without one reaches this.)
    static func refusal(_ error: ONNXExportError, architecture: String) -> JobServiceError {
        .invalid([SpecProblem(path: WeightsFormat.queryField, message: error.description)],
                 summary: "cannot export '\(architecture)' as ONNX: \(error)")
    }
}
