import Foundation
@testable import Daemon
import OpenSSL
@testable import Store
import Testing

/// `GET .../weights` streams the checkpoint from one open descriptor: constant memory, and a `best`
/// replaced mid-download still delivers the complete file the download started with.
@Suite struct WeightsDownloadTests {
    static func pseudoRandomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    @Test func bestReplacedMidDownloadStillDeliversTheOriginalFile() throws {
        let fixture = try DaemonFixture()
        let job = try fixture.store.createJob(spec: "{}")
        let original = Self.pseudoRandomBytes(6 << 20, seed: 1)
        let first = try fixture.store.addCheckpoint(job: job.id, kind: .best, epoch: 1, source: .bytes(original))

        let reader = try SlowReader(port: fixture.port,
                                    request: "GET /v1/jobs/\(job.id)/weights HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let head = try reader.readHead()
        #expect(head.status == 200)
        #expect(head.headers["content-length"] == String(original.count))
        #expect(head.headers["etag"] == "\"\(first.artifact.sha256)\"")
        #expect(head.headers["x-thaw-epoch"] == "1")
        let start = try reader.read(count: 1_000)

        // A better epoch replaces `best`: the old file is unlinked while the client is mid-way.
        let replacement = Self.pseudoRandomBytes(5 << 20, seed: 2)
        let second = try fixture.store.addCheckpoint(job: job.id, kind: .best, epoch: 2, source: .bytes(replacement))
        #expect(!FileManager.default.fileExists(atPath: fixture.store.artifactPath(first.artifact)))

        let body = start + (try reader.read(count: original.count - start.count))
        #expect(SHA256.hex(of: body) == first.artifact.sha256)
        #expect(body == original)

        let next = try fixture.client.get("/v1/jobs/\(job.id)/weights")
        #expect(next.status == 200)
        #expect(next.header("ETag") == "\"\(second.artifact.sha256)\"")
        #expect(next.header("X-Thaw-Epoch") == "2")
        #expect(next.body == replacement)
    }

    @Test func headersHeadAndConditionalRequestsAreUnchanged() throws {
        let fixture = try DaemonFixture()
        let job = try fixture.store.createJob(spec: "{}")
        let bytes = Self.pseudoRandomBytes(300_000, seed: 3)
        let checkpoint = try fixture.store.addCheckpoint(job: job.id, kind: .best, epoch: 3, source: .bytes(bytes))
        let etag = "\"\(checkpoint.artifact.sha256)\""

        let get = try fixture.client.get("/v1/jobs/\(job.id)/weights?checkpoint=best")
        #expect(get.status == 200)
        #expect(get.body == bytes)
        #expect(get.header("Content-Type") == "application/octet-stream")
        #expect(get.header("Content-Disposition") == "attachment; filename=\"\(job.id)-best.safetensors\"")
        #expect(get.header("ETag") == etag)

        let head = try fixture.client.send("HEAD", "/v1/jobs/\(job.id)/weights")
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == String(bytes.count))
        #expect(head.header("ETag") == etag)
        #expect(head.body.isEmpty)

        for match in [etag, "\"other\", \(etag)", "*"] {
            let cached = try fixture.client.send("GET", "/v1/jobs/\(job.id)/weights", headers: [("If-None-Match", match)])
            #expect(cached.status == 304)
            #expect(cached.header("ETag") == etag)
            #expect(cached.body.isEmpty)
        }
        #expect(try fixture.client.send("GET", "/v1/jobs/\(job.id)/weights", headers: [("If-None-Match", "\"other\"")]).status == 200)
        #expect(try fixture.client.get("/v1/jobs/\(job.id)/weights?checkpoint=last").status == 404)

        // Keep-alive still works after a file body: the next request on the connection is answered.
        #expect(try fixture.client.get("/healthz").status == 200)
    }

    @Test func aTamperedCheckpointIsA500BeforeAnyByte() throws {
        let fixture = try DaemonFixture()
        let job = try fixture.store.createJob(spec: "{}")
        let checkpoint = try fixture.store.addCheckpoint(job: job.id, kind: .best, epoch: 1,
                                                         source: .bytes(Self.pseudoRandomBytes(10_000, seed: 4)))
        let path = fixture.store.artifactPath(checkpoint.artifact)
        try Data(Self.pseudoRandomBytes(10_000, seed: 5)).write(to: URL(fileURLWithPath: path))
        let response = try fixture.client.get("/v1/jobs/\(job.id)/weights")
        #expect(response.status == 500)
        #expect(!String(decoding: response.body, as: UTF8.self).contains(fixture.directory))
    }

    @Test func modelWeightsDownloadWithTheSameHeaders() throws {
        let fixture = try DaemonFixture()
        let bytes = Self.pseudoRandomBytes(200_000, seed: 6)
        let model = try fixture.store.createModel(name: "m", architecture: "small-cnn", spec: "{}", source: .upload,
                                                  weights: .bytes(bytes))
        let response = try fixture.client.get("/v1/models/\(model.id)/weights")
        #expect(response.status == 200)
        #expect(response.body == bytes)
        #expect(response.header("ETag") == "\"\(SHA256.hex(of: bytes))\"")
        #expect(response.header("Content-Disposition") == "attachment; filename=\"\(model.id).safetensors\"")
        let bare = try fixture.store.createModel(name: "bare", architecture: "small-cnn", spec: "{}", source: .builtin)
        let missing = try fixture.client.get("/v1/models/\(bare.id)/weights")
        #expect(missing.status == 404)
        #expect(try fixture.client.get("/v1/models/model_0000000000000000/weights").status == 404)
    }
}
