import Foundation
import NN
import Data

/// Model weights as a safetensors file: exactly the model's PyTorch state dict (so PyTorch loads it with
/// `strict=True`), plus `__metadata__` strings that make the file self-describing:
///
/// | key | value |
/// | --- | --- |
/// | `format`, `format_version` | `thaw.weights`, `1` |
/// | `architecture` | spec name, e.g. `small-cnn` |
/// | `architecture_spec` | `ArchitectureSpec` JSON (layers, groups, head size) |
/// | `input_shape` | JSON `[C, H, W]` |
/// | `normalization_mean`, `normalization_std` | JSON float lists, pixel/255 units |
/// | `class_names` | JSON string list, label order |
/// | `job_id` | the job that produced the weights |
public struct WeightsFile: Sendable {
    public static let format = "thaw.weights"
    public static let formatVersion = "1"

    public var stateDict: StateDict
    public var architecture: ArchitectureSpec
    public var normalization: Normalization
    public var classNames: [String]
    public var jobID: String

    public init(stateDict: StateDict, architecture: ArchitectureSpec, normalization: Normalization,
                classNames: [String], jobID: String) {
        self.stateDict = stateDict
        self.architecture = architecture
        self.normalization = normalization
        self.classNames = classNames
        self.jobID = jobID
    }

    public init(model: Model, normalization: Normalization, classNames: [String], jobID: String) {
        self.init(stateDict: model.stateDict(), architecture: model.spec, normalization: normalization,
                  classNames: classNames, jobID: jobID)
    }

    public func encoded() -> [UInt8] {
        let metadata = [
            "format": Self.format, "format_version": Self.formatVersion,
            "architecture": architecture.name, "architecture_spec": architecture.jsonString(),
            "input_shape": JSONText.encode(architecture.inputShape),
            "normalization_mean": JSONText.encode(normalization.mean),
            "normalization_std": JSONText.encode(normalization.std),
            "class_names": JSONText.encode(classNames), "job_id": jobID,
        ]
        return Safetensors.encode(stateDict, metadata: metadata)
    }

    /// Reads a file `encoded()` wrote; every missing or malformed metadata key is an error naming it.
    public static func decode(_ bytes: [UInt8]) throws(CheckpointError) -> WeightsFile {
        let file = "weights"
        let decoded: (tensors: StateDict, metadata: [String: String])
        do { decoded = try Safetensors.decode(bytes) } catch { throw CheckpointError(file: file, "\(error)") }
        let meta = decoded.metadata
        func value(_ key: String) throws(CheckpointError) -> String {
            guard let v = meta[key] else { throw CheckpointError(file: file, key: key, "missing from __metadata__") }
            return v
        }
        guard try value("format") == format else {
            throw CheckpointError(file: file, key: "format", "expected \(format), got \(meta["format"] ?? "")")
        }
        guard try value("format_version") == formatVersion else {
            throw CheckpointError(file: file, key: "format_version", "unsupported version \(meta["format_version"] ?? "")")
        }
        let spec: ArchitectureSpec
        do { spec = try ArchitectureSpec.decode(json: try value("architecture_spec")) } catch let e as CheckpointError {
            throw e
        } catch {
            throw CheckpointError(file: file, key: "architecture_spec", "not a valid architecture spec: \(error)")
        }
        let mean: [Float] = try JSONText.decode(value("normalization_mean"), file: file, key: "normalization_mean")
        let std: [Float] = try JSONText.decode(value("normalization_std"), file: file, key: "normalization_std")
        let names: [String] = try JSONText.decode(value("class_names"), file: file, key: "class_names")
        return WeightsFile(stateDict: decoded.tensors, architecture: spec, normalization: Normalization(mean: mean, std: std),
                           classNames: names, jobID: try value("job_id"))
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
