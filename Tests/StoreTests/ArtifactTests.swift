import Foundation
import OpenSSL
import Testing

@testable import Store

@Suite struct ArtifactTests {
    let weights: [UInt8] = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }

    private func modelWithWeights(_ fixture: StoreFixture) throws -> ModelRecord {
        try fixture.store.createModel(
            name: "m", architecture: "small-cnn", spec: "{}", source: .upload, weights: .bytes(weights))
    }

    /// Every regular file under the artifacts directory, relative.
    private func files(_ fixture: StoreFixture) -> [String] {
        let root = fixture.directory.file("artifacts")
        let walker = FileManager.default.enumerator(atPath: root)
        var found: [String] = []
        while let path = walker?.nextObject() as? String {
            if walker?.fileAttributes?[.type] as? FileAttributeType == .typeRegular { found.append(path) }
        }
        return found.sorted()
    }

    @Test func writtenArtifactReadsBackWithItsDigest() throws {
        let fixture = try StoreFixture()
        let model = try modelWithWeights(fixture)
        let ref = try #require(model.weights)
        #expect(ref.sha256 == SHA256.hex(of: weights) && ref.size == weights.count)
        #expect(try fixture.store.readArtifact(ref) == weights)
        #expect(files(fixture) == [ref.path], "no temp file left behind")
    }

    @Test func verifiedArtifactGivesPathDigestAndSizeForStreaming() throws {
        let fixture = try StoreFixture()
        let ref = try #require(try modelWithWeights(fixture).weights)
        let verified = try fixture.store.verifiedArtifact(ref)
        #expect(verified.path == fixture.directory.file("artifacts/" + ref.path))
        #expect(verified.sha256 == ref.sha256 && verified.size == weights.count)
        #expect(FileManager.default.contents(atPath: verified.path).map(Array.init) == weights)
    }

    @Test func artifactCopiedFromAFileIsHashedWhileCopying() throws {
        let fixture = try StoreFixture()
        let source = fixture.directory.file("upload.bin")
        let big = (0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 / 3) }  // > 3 chunks
        _ = FileManager.default.createFile(atPath: source, contents: Data(big))
        let model = try fixture.store.createModel(
            name: "m", architecture: "resnet18", spec: "{}", source: .upload, weights: .file(path: source))
        #expect(model.weights?.sha256 == SHA256.hex(of: big) && model.weights?.size == big.count)
        #expect(FileManager.default.fileExists(atPath: source), "the source is left in place")
        #expect(try fixture.store.readArtifact(model.weights!) == big)
    }

    @Test func missingSourceFileIsAnIOErrorAndWritesNothing() throws {
        let fixture = try StoreFixture()
        let source = fixture.directory.file("nope.bin")
        #expect(throws: StoreError.io(operation: "open", path: source, errno: ENOENT)) {
            try fixture.store.createModel(
                name: "m", architecture: "a", spec: "{}", source: .upload, weights: .file(path: source))
        }
        #expect(files(fixture).isEmpty)
        #expect(try fixture.store.models().data.isEmpty)
    }

    @Test func flippedByteIsAChecksumMismatchOnBothReadPaths() throws {
        let fixture = try StoreFixture()
        let ref = try #require(try modelWithWeights(fixture).weights)
        var tampered = weights
        tampered[50_000] ^= 0x01
        try Data(tampered).write(to: URL(fileURLWithPath: fixture.store.artifactPath(ref)))
        let expected = StoreError.checksumMismatch(path: ref.path, expected: ref.sha256, actual: SHA256.hex(of: tampered))
        #expect(throws: expected) { try fixture.store.readArtifact(ref) }
        #expect(throws: expected) { try fixture.store.verifiedArtifact(ref) }
    }

    @Test func truncatedFileIsAChecksumMismatch() throws {
        let fixture = try StoreFixture()
        let ref = try #require(try modelWithWeights(fixture).weights)
        let short = Array(weights.prefix(1000))
        try Data(short).write(to: URL(fileURLWithPath: fixture.store.artifactPath(ref)))
        #expect(throws: StoreError.checksumMismatch(path: ref.path, expected: ref.sha256, actual: SHA256.hex(of: short))) {
            try fixture.store.readArtifact(ref)
        }
    }

    @Test func deletedFileIsMissing() throws {
        let fixture = try StoreFixture()
        let ref = try #require(try modelWithWeights(fixture).weights)
        try FileManager.default.removeItem(atPath: fixture.store.artifactPath(ref))
        #expect(throws: StoreError.artifactMissing(path: ref.path)) { try fixture.store.readArtifact(ref) }
        #expect(throws: StoreError.artifactMissing(path: ref.path)) { try fixture.store.verifiedArtifact(ref) }
    }

    @Test func openSweepsTempAndUnreferencedFilesButKeepsReferencedOnes() throws {
        let fixture = try StoreFixture()
        let ref = try #require(try modelWithWeights(fixture).weights)
        let root = fixture.directory.file("artifacts")
        try FileManager.default.createDirectory(atPath: root + "/checkpoints/job_x", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: root + "/checkpoints/job_x/.tmp-0123-last-e1.ckpt", contents: Data([1, 2]))
        _ = FileManager.default.createFile(atPath: root + "/models/orphan.safetensors", contents: Data([3]))
        if fixture.storage == .postgres {
            // A shared directory: files another node may be writing now (fresh ones) are kept...
            _ = FileManager.default.createFile(atPath: root + "/models/in-flight.safetensors", contents: Data([4]))
            let early = try fixture.reopen()
            #expect(early.sweptArtifacts.isEmpty)
            try FileManager.default.removeItem(atPath: root + "/models/in-flight.safetensors")
            // ...and only those untouched for an hour are swept.
            let old = Date().addingTimeInterval(-2 * Store.sharedSweepAge)
            for path in ["/checkpoints/job_x/.tmp-0123-last-e1.ckpt", "/models/orphan.safetensors"] {
                try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: root + path)
            }
        }
        let reopened = try fixture.reopen()
        #expect(reopened.sweptArtifacts == ["checkpoints/job_x/.tmp-0123-last-e1.ckpt", "models/orphan.safetensors"])
        #expect(files(fixture) == [ref.path])
        #expect(try reopened.readArtifact(ref) == weights)
    }

    /// A cluster keeps decoded dataset caches inside the artifacts directory; no row references
    /// them, and the artifact sweep must not take them (or their temp files) for orphans.
    @Test func openLeavesTheDatasetCacheFolderAlone() throws {
        let fixture = try StoreFixture()
        let ref = try #require(try modelWithWeights(fixture).weights)
        let cache = fixture.directory.file("artifacts") + "/" + Store.datasetCacheFolder
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        let names = ["imagefolder-abc.thawcache", "imagefolder-abc.thawcache.tmp-1-2", ".tmp-x-y"]
        let old = Date().addingTimeInterval(-2 * Store.sharedSweepAge)
        for name in names {
            _ = FileManager.default.createFile(atPath: cache + "/" + name, contents: Data([5]))
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: cache + "/" + name)
        }
        let reopened = try fixture.reopen()
        #expect(reopened.sweptArtifacts.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache).sorted() == names.sorted())
        #expect(try reopened.readArtifact(ref) == weights)
    }

    @Test func fileHashStreamsInChunksAndMatchesTheInMemoryDigest() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("f")
        _ = FileManager.default.createFile(atPath: path, contents: Data(weights))
        for chunk in [1, 7, 4096, 1 << 20] {
            let hashed = try SHA256.hexOfFile(atPath: path, chunkSize: chunk)
            #expect(hashed.digest == SHA256.hex(of: weights) && hashed.size == weights.count)
        }
        #expect(throws: SHA256FileError(operation: "open", path: directory.file("none"), errno: ENOENT)) {
            try SHA256.hexOfFile(atPath: directory.file("none"))
        }
    }
}
