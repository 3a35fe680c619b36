import Data
import Foundation
import ThawClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Registering a hostile image folder against the real binary: each is a 422 naming the file
/// relative to the dataset root (no absolute server path), answered promptly, and thawd stays up.
@Suite(.serialized) struct DatasetSafetyTests {
    /// `<dataset-root>/<name>/cat/a.png` plus whatever `hostile` adds to that folder.
    func folder(_ daemon: DaemonProcess, _ name: String, hostile: (String) throws -> Void) throws {
        let dir = daemon.dataDir + "/datasets/\(name)"
        try FileManager.default.createDirectory(atPath: dir + "/cat", withIntermediateDirectories: true)
        let png = try ImageEncoder.png([UInt8](repeating: 90, count: 64), width: 8, height: 8, channels: 1)
        try Data(png).write(to: URL(fileURLWithPath: dir + "/cat/a.png"))
        try hostile(dir)
    }

    func register(_ daemon: DaemonProcess, _ name: String) throws -> (Int, String?, String) {
        let response = try daemon.client.post("/v1/datasets", json: ["name": name, "path": name, "channels": 1, "image_size": 8])
        let error = (try? response.json() as? [String: Any])?["error"] as? [String: Any]
        let detail = (error?["details"] as? [[String: Any]])?.first
        return (response.status, detail?["field"] as? String, detail?["message"] as? String ?? "")
    }

    @Test func hostileFoldersAreRefusedByNameAndTheDaemonStaysUp() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        try folder(daemon, "rootlink") { #expect(symlink("/", $0 + "/cat/x") == 0) }
        try folder(daemon, "fifo") { #expect(mkfifo($0 + "/cat/b.png", 0o644) == 0) }
        try folder(daemon, "sparse") { dir in
            let fd = open(dir + "/cat/huge.jpg", O_WRONLY | O_CREAT, 0o644)
            #expect(fd >= 0 && ftruncate(fd, 1 << 40) == 0)
            close(fd)
        }
        let cases = [("rootlink", "rootlink/cat/x", "outside the image folder"),
                     ("fifo", "fifo/cat/b.png", "not a regular file"),
                     ("sparse", "sparse/cat/huge.jpg", "over the 67108864-byte limit")]
        for (name, file, why) in cases {
            let (status, field, message) = try register(daemon, name)
            #expect(status == 422 && field == "path", "\(name): \(status) \(message)")
            #expect(message.hasPrefix(file + ":") && message.contains(why), "\(name): \(message)")
            #expect(!message.contains(daemon.dataDir) && !message.contains("/tmp/"), "absolute path leaked: \(message)")
            #expect(try daemon.client.get("/healthz").status == 200)
        }
        let listed = try daemon.client.get("/v1/datasets").json() as? [String: Any]
        #expect((listed?["data"] as? [[String: Any]])?.contains { ($0["name"] as? String) == "fifo" } == false)
    }

    @Test func theSameFolderRegisteredTwiceServesBoth() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        try folder(daemon, "twice") { _ in }
        let first = try daemon.client.post("/v1/datasets", json: ["name": "one", "path": "twice", "image_size": 8])
        let second = try daemon.client.post("/v1/datasets", json: ["name": "two", "path": "./twice/", "image_size": 8])
        #expect(first.status == 201 && second.status == 201)
        for response in [first, second] {
            let object = try response.json() as? [String: Any]
            #expect(object?["path"] as? String == "twice", "\(String(describing: object))")
        }
    }

    @Test func orphanedImageCacheTempFilesAreSweptAtStart() throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("thawd-sweep-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        try FileManager.default.createDirectory(atPath: dataDir + "/cache", withIntermediateDirectories: true)
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let orphan = dataDir + "/cache/imagefolder-0123.thawcache.tmp-\(dead.processIdentifier)-42"
        #expect(FileManager.default.createFile(atPath: orphan, contents: Data(count: 4096)))
        let daemon = try DaemonProcess(dataDir: dataDir)
        defer { daemon.stop() }
        #expect(!FileManager.default.fileExists(atPath: orphan))
        #expect(daemon.logText.contains("removed 1 orphaned temp file"), "\(daemon.logText)")
    }
}

/// The decoded-image cache under `<data-dir>/cache` carries the SHA-256 it was written with: a file
/// damaged after that (here: a flipped pixel byte in each split's cache, thawd stopped) is logged and
/// treated as a miss. The job trains on the images decoded afresh and succeeds, and the cache is
/// written anew, byte for byte what the first run wrote (the entry written is the entry trained on).
@Suite(.serialized) struct ImageCacheIntegrityE2ETests {
    @Test func aCorruptedImageCacheIsRebuiltAndTheJobStillSucceeds() throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("thawd-cache-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        var daemon = try DaemonProcess(dataDir: dataDir)
        let model = try daemon.client.registerSmallCNN()
        let dataset = try ChaosTests.registerTinyDataset(daemon)
        func train(_ client: HTTPClient) throws {
            let spec: [String: Any] = [
                "name": "cache", "model": ["id": model], "dataset": ["id": dataset, "validation_fraction": 0.25, "seed": 1],
                "phases": [["name": "all", "trainable": "all", "epochs": 1, "lr": 0.003]],
                "optimizer": ["type": "sgd"], "batch_size": 8, "seed": 42,
            ]
            let id = try #require(try client.jsonObject("POST", "/v1/jobs", body: spec).1["id"] as? String)
            let done = try client.waitForJob(id, statuses: ["succeeded", "failed", "stopped", "cancelled"], timeout: 300)
            #expect(done["status"] as? String == "succeeded", "\(done)")
        }
        try train(daemon.client)
        let cache = dataDir + "/cache"
        let names = try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".thawcache") }.sorted()
        #expect(names.count == 2, "a cache per split: \(names)")
        let written = try names.map { try Data(contentsOf: URL(fileURLWithPath: cache + "/" + $0)) }
        daemon.stop()
        for (name, bytes) in zip(names, written) {
            var damaged = bytes
            damaged[damaged.count - 100] ^= 0x40  // a pixel byte, before the trailing checksum
            try damaged.write(to: URL(fileURLWithPath: cache + "/" + name))
        }

        daemon = try DaemonProcess(dataDir: dataDir)  // a new process: nothing of the folder in memory
        defer { daemon.stop() }
        try train(daemon.client)
        let rejected = daemon.logText.components(separatedBy: "\n").filter { $0.contains("SHA-256 mismatch") }
        #expect(rejected.count == 2 && rejected.allSatisfy { $0.contains("image cache") && $0.contains("writing it anew") },
                "\(daemon.logText)")
        let rebuilt = try names.map { try Data(contentsOf: URL(fileURLWithPath: cache + "/" + $0)) }
        #expect(rebuilt == written, "the caches were written anew from the images")
    }
}
