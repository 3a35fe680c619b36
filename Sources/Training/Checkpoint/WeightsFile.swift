import Foundation
import NN
import Data

/// Model weights as bytes: a safetensors file holding exactly the model's PyTorch state dict (so
/// PyTorch loads it with `strict=True`) and NN's `ModelMetadata` (`thaw.spec`, `thaw.input_shape`,
/// `thaw.mean`, `thaw.std`, `thaw.classes`, `thaw.job`, `format` = `pt`) in `__metadata__` — the same
/// file `Model.save(to:metadata:)` writes, so `Model.load(path:)` reads what the daemon stores.
public struct WeightsFile: Sendable {
    public var stateDict: StateDict
    public var metadata: ModelMetadata

    public init(stateDict: StateDict, metadata: ModelMetadata) {
        self.stateDict = stateDict
        self.metadata = metadata
    }

    public init(model: Model, normalization: Normalization, classNames: [String], jobID: String) {
        self.init(stateDict: model.stateDict(),
                  metadata: ModelMetadata(spec: model.spec, mean: normalization.mean.map(Double.init),
                                          std: normalization.std.map(Double.init), classNames: classNames, job: jobID))
    }

    public var architecture: ArchitectureSpec { metadata.spec }
    public var classNames: [String] { metadata.classNames }
    public var jobID: String? { metadata.job }
    public var normalization: Normalization {
        Normalization(mean: metadata.mean.map(Float.init), std: metadata.std.map(Float.init))
    }

    public func encoded() -> [UInt8] { Safetensors.encode(stateDict, metadata: metadata.dictionary) }

    /// Reads bytes `encoded()` (or `Model.save`) wrote; errors name the metadata key at fault.
    public static func decode(_ bytes: [UInt8]) throws(CheckpointError) -> WeightsFile {
        let decoded: (tensors: StateDict, metadata: [String: String])
        do { decoded = try Safetensors.decode(bytes) } catch { throw CheckpointError(file: "weights", "\(error)") }
        do {
            return WeightsFile(stateDict: decoded.tensors, metadata: try ModelMetadata(dictionary: decoded.metadata))
        } catch {
            switch error {
            case .missing(let key): throw CheckpointError(file: "weights", key: key, "missing from __metadata__")
            case .invalid(let key, let reason): throw CheckpointError(file: "weights", key: key, reason)
            }
        }
    }
}

/// JSON for metadata strings (safetensors metadata values must be strings).
enum JSONText {
    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ text: String, file: String, key: String) throws(CheckpointError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Foundation.Data(text.utf8))
        } catch {
            throw CheckpointError(file: file, key: key, "not valid JSON for \(T.self): \(error)")
        }
    }
}
