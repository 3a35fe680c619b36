import Foundation

/// What makes saved weights self-describing, stored in safetensors `__metadata__` (string → string):
///
/// | key | value |
/// | --- | --- |
/// | `format` | `pt` (what `safetensors.torch` writes; PyTorch tools expect it) |
/// | `thaw.architecture` | architecture name, e.g. `resnet18` |
/// | `thaw.spec` | the full `ArchitectureSpec` JSON |
/// | `thaw.input_shape` | JSON array (C,H,W) |
/// | `thaw.mean`, `thaw.std` | JSON arrays, per-channel normalisation |
/// | `thaw.classes` | JSON array of class names |
/// | `thaw.job` | producing job id (absent when none) |
public struct ModelMetadata: Equatable, Sendable {
    public var spec: ArchitectureSpec
    public var mean: [Double]
    public var std: [Double]
    public var classNames: [String]
    public var job: String?

    public init(spec: ArchitectureSpec, mean: [Double]? = nil, std: [Double]? = nil, classNames: [String] = [], job: String? = nil) {
        self.spec = spec
        self.mean = mean ?? spec.mean ?? []
        self.std = std ?? spec.std ?? []
        self.classNames = classNames
        self.job = job
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case missing(key: String)
        case invalid(key: String, reason: String)

        public var description: String {
            switch self {
            case let .missing(key): "metadata: missing '\(key)'"
            case let .invalid(key, reason): "metadata '\(key)': \(reason)"
            }
        }
    }

    public var dictionary: [String: String] {
        var d = [
            "format": "pt",
            "thaw.architecture": spec.name,
            "thaw.spec": spec.jsonString(),
            "thaw.input_shape": Self.json(spec.inputShape),
            "thaw.mean": Self.json(mean),
            "thaw.std": Self.json(std),
            "thaw.classes": Self.json(classNames),
        ]
        if let job { d["thaw.job"] = job }
        return d
    }

    public init(dictionary d: [String: String]) throws(Failure) {
        guard let specJSON = d["thaw.spec"] else { throw .missing(key: "thaw.spec") }
        do {
            spec = try ArchitectureSpec.decode(json: specJSON)
        } catch {
            throw .invalid(key: "thaw.spec", reason: "not an architecture spec (\(error))")
        }
        mean = try Self.decode([Double].self, d, "thaw.mean")
        std = try Self.decode([Double].self, d, "thaw.std")
        classNames = try Self.decode([String].self, d, "thaw.classes")
        job = d["thaw.job"]
    }

    private static func json<T: Encodable>(_ v: T) -> String { String(decoding: try! JSONEncoder().encode(v), as: UTF8.self) }

    private static func decode<T: Decodable>(_: T.Type, _ d: [String: String], _ key: String) throws(Failure) -> T {
        guard let s = d[key] else { throw .missing(key: key) }
        do {
            return try JSONDecoder().decode(T.self, from: Data(s.utf8))
        } catch {
            throw .invalid(key: key, reason: "not a JSON \(T.self)")
        }
    }
}
