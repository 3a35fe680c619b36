import Foundation

/// Builds the small JSON payloads the Store writes itself (status events), keys sorted so the text is
/// stable for tests and diffs.
enum JSONText {
    static func object(_ fields: [String: Any?]) -> String {
        let present = fields.compactMapValues { $0 }
        guard let data = try? JSONSerialization.data(withJSONObject: present, options: [.sortedKeys]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
