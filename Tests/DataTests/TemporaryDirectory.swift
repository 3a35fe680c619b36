import Foundation

/// A fresh directory under the system temp dir, removed when the test drops it.
final class TemporaryDirectory {
    let path: String

    init(_ label: String = "data") {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("thaw-\(label)-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` (creating intermediate folders) and returns the full path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let full = path + "/" + name
        let dir = (full as NSString).deletingLastPathComponent
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: full, contents: Foundation.Data(bytes))
        return full
    }

    func remove(_ name: String) {
        try? FileManager.default.removeItem(atPath: path + "/" + name)
    }
}
