import Foundation

extension StoreConnection {
    /// Creates the artifact directory if missing. Returns the relative paths it removed (none yet).
    func prepareArtifactsDirectory() throws -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: artifactsDirectory, withIntermediateDirectories: true)
        } catch {
            throw StoreError.io(operation: "mkdir", path: artifactsDirectory, errno: Int32((error as NSError).code))
        }
        return []
    }
}
