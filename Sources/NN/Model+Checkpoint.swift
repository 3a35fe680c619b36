import Tensor

/// Errors from saving or loading a model file, with the file and the underlying cause.
public enum ModelFileError: Error, CustomStringConvertible {
    case file(path: String, SafetensorsError)
    case metadata(path: String, ModelMetadata.Failure)
    case architecture(path: String, ArchitectureError)
    case stateDict(path: String, StateDictError)

    public var description: String {
        switch self {
        case let .file(p, e): "\(p): \(e)"
        case let .metadata(p, e): "\(p): \(e)"
        case let .architecture(p, e): "\(p): \(e)"
        case let .stateDict(p, e): "\(p): \(e)"
        }
    }
}

extension Model {
    /// Writes the state dict (F32, `num_batches_tracked` I64) with self-describing metadata.
    public func save(to path: String, metadata: ModelMetadata) throws(ModelFileError) {
        var meta = metadata
        meta.spec = spec
        do {
            try Safetensors.write(stateDict(), metadata: meta.dictionary, to: path)
        } catch {
            throw .file(path: path, error)
        }
    }

    /// Rebuilds a model from a file `save` wrote: architecture from the metadata, then the
    /// weights (strict). Returns the metadata too (class names, normalisation, job).
    public static func load(path: String) throws(ModelFileError) -> (model: Model, metadata: ModelMetadata) {
        let file: (tensors: StateDict, metadata: [String: String])
        do { file = try Safetensors.read(path: path) } catch { throw .file(path: path, error) }
        let meta: ModelMetadata
        do { meta = try ModelMetadata(dictionary: file.metadata) } catch { throw .metadata(path: path, error) }
        let model: Model
        do { model = try Model(spec: meta.spec) } catch { throw .architecture(path: path, error) }
        do { try model.load(stateDict: file.tensors, strict: true) } catch { throw .stateDict(path: path, error) }
        return (model, meta)
    }
}
