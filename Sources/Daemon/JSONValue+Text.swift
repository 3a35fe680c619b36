import Foundation
import JobAPI
import Training

extension JSONValue {
    /// Compact JSON text with sorted keys (what the store keeps); `null` if a value cannot be encoded.
    var jsonText: String {
        guard let data = try? Wire.encode(self) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    var numberValue: Double? { if case .number(let n) = self { return n }; return nil }
    var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
}
