import Foundation
import Testing

@testable import Daemon

/// Raw model uploads are spooled to `<data-dir>/uploads/upload-*.tmp` and removed when the request
/// ends; a thawd killed mid-upload leaves its spool file, which the next start removes (after the lock).
@Suite struct UploadSweepTests {
    @Test func spoolFilesAKilledThawdLeftAreRemovedAtStartAndNothingElse() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-uploads-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let uploads = directory + "/uploads"
        try FileManager.default.createDirectory(atPath: uploads, withIntermediateDirectories: true)
        for name in ["upload-a1b2c3.tmp", "upload-zzzzzz.tmp", "notes.txt", "upload-keep.safetensors"] {
            #expect(FileManager.default.createFile(atPath: uploads + "/" + name, contents: Data("x".utf8)))
        }
        var configuration = DaemonConfiguration()
        configuration.dataDir = directory
        configuration.port = 0
        _ = try Daemon(configuration: configuration)
        let left = try FileManager.default.contentsOfDirectory(atPath: uploads).sorted()
        #expect(left == ["notes.txt", "upload-keep.safetensors"])
    }
}
