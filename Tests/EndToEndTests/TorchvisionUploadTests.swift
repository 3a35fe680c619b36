import Data
import Foundation
import ThawClient
import Testing

/// A torchvision state_dict, saved as `save_file(torchvision.models.resnet18().state_dict())` does
/// (Tests/Fixtures/resnets/generate.py writes it into the build folder with the parity goldens),
/// uploaded to a real thawd, fine-tuned at another input size on an RGB image folder with the
/// 1000-class head replaced, and downloaded with the same tensor names.
@Suite struct TorchvisionUploadTests {
    static var file: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return ProcessInfo.processInfo.environment["THAW_RESNET_GOLDEN_DIR"].map { $0 + "/torchvision_resnet18.safetensors" }
            ?? root.appendingPathComponent(".build/goldens/resnets/torchvision_resnet18.safetensors").path
    }

    /// Tensor names and shapes from a safetensors header (8-byte length, then JSON).
    static func header(_ bytes: [UInt8]) throws -> [String: [Int]] {
        let n = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let object = try JSONSerialization.jsonObject(with: Foundation.Data(bytes[8..<(8 + n)])) as? [String: Any] ?? [:]
        var result: [String: [Int]] = [:]
        for (k, v) in object where k != "__metadata__" { result[k] = (v as? [String: Any])?["shape"] as? [Int] }
        return result
    }

    @Test func torchvisionResNet18UploadsFineTunesAtAnotherSizeAndDownloads() throws {
        guard let weights = FileManager.default.contents(atPath: Self.file) else {
            Issue.record("""
                missing \(Self.file); generate it with
                  PY=$(deploy/torch-env.sh) && "$PY" Tests/Fixtures/resnets/generate.py --out .build/goldens/resnets
                """)
            return
        }
        let daemon = try DaemonProcess()
        defer { _ = daemon.stop() }
        let client = HTTPClient(host: "127.0.0.1", port: daemon.port, timeout: 300)

        let upload = try client.send("POST", "/v1/models?name=tv18&architecture=resnet18", body: Array(weights),
                                     headers: [("Content-Type", "application/octet-stream")])
        let model = try upload.json() as? [String: Any] ?? [:]
        #expect(upload.status == 201, "\(model)")
        #expect(model["num_classes"] as? Int == 1000 && model["input_shape"] as? [Int] == [3, 224, 224])
        #expect(model["groups"] as? [String] == ["stem", "layer1", "layer2", "layer3", "layer4", "head"])
        let modelID = try #require(model["id"] as? String)

        // Two classes of RGB photos (flat colours with noise), 24 each.
        var state: UInt64 = 4
        func noise() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 58) - 32
        }
        for (name, base) in [("red", [200, 40, 40]), ("blue", [40, 40, 200])] {
            let dir = daemon.dataDir + "/datasets/colors/\(name)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for i in 0..<24 {
                let pixels = (0..<(40 * 30)).flatMap { _ in base.map { UInt8(max(0, min(255, $0 + noise()))) } }
                try Foundation.Data(ImageEncoder.png(pixels, width: 40, height: 30, channels: 3))
                    .write(to: URL(fileURLWithPath: "\(dir)/\(i).png"))
            }
        }
        let (dStatus, dataset) = try client.jsonObject("POST", "/v1/datasets",
                                                       body: ["name": "colors", "path": "colors", "channels": 3, "image_size": 32])
        #expect(dStatus == 201, "\(dataset)")
        let datasetID = try #require(dataset["id"] as? String)

        var job: [String: Any] = [
            "name": "tv18-32", "model": ["id": modelID], "input_size": [1, 32, 32],
            "dataset": ["id": datasetID, "validation_fraction": 0.25, "seed": 1], "batch_size": 12, "seed": 3,
            "phases": [["name": "head", "trainable": ["head"], "epochs": 1, "lr": 0.01],
                       ["name": "all", "trainable": "all", "epochs": 1, "lr": ["min": 1e-5, "max": 1e-3]]],
        ]
        let (badStatus, bad) = try client.jsonObject("POST", "/v1/jobs", body: job)
        let details = (bad["error"] as? [String: Any])?["details"] as? [[String: Any]] ?? []
        #expect(badStatus == 422 && details.first?["field"] as? String == "input_size[0]", "\(bad)")

        job["input_size"] = [3, 32, 32]
        let (status, created) = try client.jsonObject("POST", "/v1/jobs", body: job)
        #expect(status == 201, "\(created)")
        let jobID = try #require(created["id"] as? String)
        let done = try client.waitForJob(jobID, statuses: ["succeeded", "failed"], timeout: 600)
        #expect(done["status"] as? String == "succeeded", "\(done)")

        let download = try client.get("/v1/jobs/\(jobID)/weights?checkpoint=best")
        #expect(download.status == 200)
        let uploaded = try Self.header(Array(weights)), tuned = try Self.header(download.body)
        #expect(Set(tuned.keys) == Set(uploaded.keys))
        #expect(tuned["fc.weight"] == [2, 512] && tuned["fc.bias"] == [2])
        #expect(tuned.filter { !$0.key.hasPrefix("fc.") } == uploaded.filter { !$0.key.hasPrefix("fc.") })
    }
}
