import Foundation

/// JSON for architecture specs in the API's snake_case (`input_shape`, `batch_norm2d`), with the
/// camelCase of earlier files (`inputShape`, `batchNorm2d`) still read: specs saved inside weights
/// and in the model store by older builds keep loading. Unknown keys are refused, so a misspelt
/// key is named instead of silently defaulted.
extension ArchitectureSpec {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, inputShape = "input_shape", groups, layers, mean, std
    }

    static let legacyKeys = ["inputShape": CodingKeys.inputShape]

    public init(from decoder: Decoder) throws {
        let raw = try decoder.container(keyedBy: SpecKey.self)
        try SpecKey.refuseUnknown(in: raw, known: CodingKeys.allCases.map(\.rawValue) + Array(Self.legacyKeys.keys))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        if c.contains(.inputShape) {
            inputShape = try c.decode([Int].self, forKey: .inputShape)
        } else if raw.contains(SpecKey("inputShape")) {
            inputShape = try raw.decode([Int].self, forKey: SpecKey("inputShape"))
        } else {
            throw DecodingError.keyNotFound(CodingKeys.inputShape, .init(codingPath: c.codingPath, debugDescription: "required"))
        }
        groups = try c.decode([String].self, forKey: .groups)
        layers = try c.decode([LayerSpec].self, forKey: .layers)
        mean = try c.decodeIfPresent([Double].self, forKey: .mean)
        std = try c.decodeIfPresent([Double].self, forKey: .std)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(inputShape, forKey: .inputShape)
        try c.encode(groups, forKey: .groups)
        try c.encode(layers, forKey: .layers)
        try c.encodeIfPresent(mean, forKey: .mean)
        try c.encodeIfPresent(std, forKey: .std)
    }

    /// "`layers[3].kind`: …" for a decoding failure: the JSON path of the offending field first.
    static func describe(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ keys: [CodingKey], _ last: CodingKey? = nil) -> String {
            var s = ""
            for k in keys + (last.map { [$0] } ?? []) {
                if let i = k.intValue { s += "[\(i)]" } else { s += (s.isEmpty ? "" : ".") + k.stringValue }
            }
            return s.isEmpty ? "spec" : s
        }
        switch error {
        case let .keyNotFound(key, ctx): return "\(path(ctx.codingPath, key)): required"
        case let .typeMismatch(type, ctx): return "\(path(ctx.codingPath)): expected \(Self.jsonType(type))"
        case let .valueNotFound(type, ctx): return "\(path(ctx.codingPath)): expected \(Self.jsonType(type)), got null"
        case let .dataCorrupted(ctx):
            return ctx.codingPath.isEmpty ? "not valid JSON" : "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    private static func jsonType(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "a boolean"
        case is [Int].Type: "an array of integers"
        case is [Double].Type: "an array of numbers"
        case is [String].Type: "an array of strings"
        case is [Any].Type: "an array"
        case is [String: Any].Type: "an object"
        default: "\(type)"
        }
    }
}

extension LayerSpec {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, kind, group, `in`, out, width, kernel, stride, padding, bias, features, output, p
    }

    public init(from decoder: Decoder) throws {
        let raw = try decoder.container(keyedBy: SpecKey.self)
        try SpecKey.refuseUnknown(in: raw, known: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        let kindName = try c.decode(String.self, forKey: .kind)
        guard let kind = Kind(json: kindName) else {
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: c,
                debugDescription: "unknown kind '\(kindName)'; known: \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.kind = kind
        group = try c.decodeIfPresent(String.self, forKey: .group)
        self.in = try c.decodeIfPresent(Int.self, forKey: .in)
        out = try c.decodeIfPresent(Int.self, forKey: .out)
        width = try c.decodeIfPresent(Int.self, forKey: .width)
        kernel = try c.decodeIfPresent(Int.self, forKey: .kernel)
        stride = try c.decodeIfPresent(Int.self, forKey: .stride)
        padding = try c.decodeIfPresent(Int.self, forKey: .padding)
        bias = try c.decodeIfPresent(Bool.self, forKey: .bias)
        features = try c.decodeIfPresent(Int.self, forKey: .features)
        output = try c.decodeIfPresent(Int.self, forKey: .output)
        p = try c.decodeIfPresent(Double.self, forKey: .p)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(kind.rawValue, forKey: .kind)
        try c.encodeIfPresent(group, forKey: .group)
        try c.encodeIfPresent(self.in, forKey: .in)
        try c.encodeIfPresent(out, forKey: .out)
        try c.encodeIfPresent(width, forKey: .width)
        try c.encodeIfPresent(kernel, forKey: .kernel)
        try c.encodeIfPresent(stride, forKey: .stride)
        try c.encodeIfPresent(padding, forKey: .padding)
        try c.encodeIfPresent(bias, forKey: .bias)
        try c.encodeIfPresent(features, forKey: .features)
        try c.encodeIfPresent(output, forKey: .output)
        try c.encodeIfPresent(p, forKey: .p)
    }
}

extension LayerSpec.Kind {
    /// The snake_case name, or the camelCase one earlier builds wrote (`batchNorm2d`).
    init?(json name: String) {
        if let k = Self(rawValue: name) {
            self = k
        } else if let k = Self.allCases.first(where: { $0.legacyName == name }) {
            self = k
        } else {
            return nil
        }
    }

    /// `batch_norm2d` → `batchNorm2d`.
    var legacyName: String {
        let parts = rawValue.split(separator: "_")
        return parts.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }
            .joined()
    }
}

/// Any JSON object key, to list what an object holds.
struct SpecKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }

    static func refuseUnknown(in c: KeyedDecodingContainer<SpecKey>, known: [String]) throws {
        let allowed = Set(known)
        if let bad = c.allKeys.map(\.stringValue).sorted().first(where: { !allowed.contains($0) }) {
            throw DecodingError.dataCorruptedError(
                forKey: SpecKey(bad), in: c, debugDescription: "unknown key; allowed: \(known.filter { !$0.contains(where: \.isUppercase) }.joined(separator: ", "))")
        }
    }
}
