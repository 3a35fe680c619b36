import Foundation
import OpenSSL
import Testing

@testable import Store

/// `openArtifact`: verified through the descriptor it returns, which keeps serving the verified
/// bytes after the artifact is replaced or its file deleted.
@Suite struct OpenedArtifactTests {
    static func readAll(_ fd: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(out.count)) }
            if n <= 0 { return out }
            out += chunk[0..<n]
        }
    }

    @Test func aReplacedBestStaysReadableThroughTheOpenedDescriptor() throws {
        let fixture = try StoreFixture(.file)
        let store = fixture.store
        let job = try store.createJob(spec: spec)
        let original = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let first = try store.addCheckpoint(job: job.id, kind: .best, epoch: 1, source: .bytes(original))
        let opened = try store.openArtifact(first.artifact)
        #expect(opened.sha256 == first.artifact.sha256)
        #expect(opened.size == original.count)

        _ = try store.addCheckpoint(job: job.id, kind: .best, epoch: 2, source: .bytes([1, 2, 3]))
        #expect(!FileManager.default.fileExists(atPath: store.artifactPath(first.artifact)))
        let fd = opened.releaseDescriptor()
        defer { close(fd) }
        #expect(opened.releaseDescriptor() == -1)
        let bytes = Self.readAll(fd)
        #expect(bytes == original)
        #expect(SHA256.hex(of: bytes) == first.artifact.sha256)
    }

    @Test func aMissingOrTamperedFileIsRefusedAtOpen() throws {
        let fixture = try StoreFixture(.file)
        let job = try fixture.store.createJob(spec: spec)
        let checkpoint = try fixture.store.addCheckpoint(job: job.id, kind: .best, epoch: 1, source: .bytes([1, 2, 3, 4]))
        let path = fixture.store.artifactPath(checkpoint.artifact)
        try Data([1, 2, 3, 5]).write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.checksumMismatch(path: checkpoint.artifact.path, expected: checkpoint.artifact.sha256,
                                                    actual: SHA256.hex(of: [1, 2, 3, 5] as [UInt8]))) {
            try fixture.store.openArtifact(checkpoint.artifact)
        }
        unlink(path)
        #expect(throws: StoreError.artifactMissing(path: checkpoint.artifact.path)) {
            try fixture.store.openArtifact(checkpoint.artifact)
        }
    }
}
