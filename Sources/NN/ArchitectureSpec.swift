import Foundation

/// A network as data: ordered named layers, each in a named layer group (the unit that is frozen,
/// unfrozen and given its own learning rate). Serialised as JSON inside saved weights so a file
/// describes the model that produced it; keys in snake_case (`input_shape`), see
/// `ArchitectureSpec+Coding.swift`.
public struct ArchitectureSpec: Codable, Equatable, Sendable {
    public var name: String
    /// Per-image input shape (C,H,W).
    public var inputShape: [Int]
    /// Group names, first (input side) to last (`head`).
    public var groups: [String]
    public var layers: [LayerSpec]
    /// Per-channel input normalisation the weights expect: x = (pixel/255 − mean)/std.
    public var mean: [Double]?
    public var std: [Double]?

    public init(name: String, inputShape: [Int], groups: [String], layers: [LayerSpec],
                mean: [Double]? = nil, std: [Double]? = nil) {
        self.name = name
        self.inputShape = inputShape
        self.groups = groups
        self.layers = layers
        self.mean = mean
        self.std = std
    }

    /// Group of each layer, in order, after inheritance; throws for unknown or out-of-order groups.
    public func resolvedGroups() throws(ArchitectureError) -> [String] {
        guard !layers.isEmpty else { throw .invalidSpec("no layers") }
        guard !groups.isEmpty else { throw .invalidSpec("no groups") }
        guard Set(groups).count == groups.count else { throw .invalidSpec("duplicate group names in \(groups)") }
        var names = Set<String>()
        var result: [String] = []
        var current = layers[0].group ?? groups[0]
        for layer in layers {
            guard names.insert(layer.name).inserted else { throw .invalidLayer(layer: layer.name, reason: "duplicate layer name") }
            if let g = layer.group { current = g }
            guard let idx = groups.firstIndex(of: current) else { throw .unknownGroup(current) }
            if let last = result.last, let lastIdx = groups.firstIndex(of: last), idx < lastIdx {
                throw .invalidLayer(layer: layer.name, reason: "group '\(current)' comes after '\(last)' in the layer order")
            }
            result.append(current)
        }
        for g in groups where !result.contains(g) { throw .invalidSpec("group '\(g)' has no layers") }
        return result
    }

    public func jsonString() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    /// Reads a spec (snake_case, or the camelCase of earlier builds); a failure names the field
    /// (`layers[3].kind: unknown kind 'conv'`).
    public static func decode(json: String) throws(ArchitectureError) -> ArchitectureSpec {
        do {
            return try JSONDecoder().decode(ArchitectureSpec.self, from: Data(json.utf8))
        } catch {
            throw .invalidSpec(describe(error))
        }
    }
}
