import Data
import Foundation
import ThawClient
import Testing

/// A job on a folder of photos in mixed modes (RGB and CMYK JPEGs, EXIF-rotated, PNGs of other
/// sizes) trains with random-resized-crop, flip and colour jitter, and torchvision's evaluation crop.
@Suite(.serialized) struct PhotoJobTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DataTests/Fixtures/photos").path

    @Test func photoFolderTrainsWithTheTorchvisionRecipe() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let root = daemon.dataDir + "/datasets/photos"
        for (k, (name, rgb)) in [("bright", [230, 200, 40]), ("dark", [30, 60, 120])].enumerated() {
            let dir = root + "/\(name)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for i in 0..<6 {
                let (w, h) = (40 + 7 * i, 30 + 5 * k)
                let pixels = (0..<(w * h)).flatMap { p in rgb.map { UInt8(clamping: $0 + (p % 13) - 6) } }
                try Data(try ImageEncoder.jpeg(pixels, width: w, height: h, channels: 3)).write(to: URL(fileURLWithPath: dir + "/\(i).jpg"))
            }
        }
        for fixture in ["cmyk.jpg", "orient6.jpg", "palette.png", "rgb16.png"] {
            try FileManager.default.copyItem(atPath: Self.fixtures + "/" + fixture, toPath: root + "/bright/" + fixture)
        }
        let (status, dataset) = try daemon.client.jsonObject("POST", "/v1/datasets", body: ["name": "photos", "path": "photos", "channels": 1])
        #expect(status == 201, "\(dataset)")
        #expect((dataset["skipped"] as? [Any])?.isEmpty == true, "\(dataset)")
        #expect((dataset["counts"] as? [String: Any])?["train"] as? [Int] == [10, 6])
        let datasetID = try #require(dataset["id"] as? String)
        let model = try daemon.client.registerSmallCNN()
        let spec: [String: Any] = [
            "name": "photos", "model": ["id": model], "batch_size": 4, "seed": 3,
            "dataset": ["id": datasetID, "validation_fraction": 0.25, "crop_fraction": 0.875],
            "phases": [["trainable": "all", "epochs": 2, "lr": 0.01,
                        "augment": ["random_resized_crop": ["scale": [0.3, 1]], "color_jitter": true]]],
        ]
        let (created, job) = try daemon.client.jsonObject("POST", "/v1/jobs", body: spec)
        #expect(created == 201, "\(job)")
        let id = try #require(job["id"] as? String)
        let finished = try daemon.client.waitForJob(id, statuses: ["succeeded", "failed", "cancelled"], timeout: 300)
        #expect(finished["status"] as? String == "succeeded", "\(finished)")
        let stored = (finished["spec"] as? [String: Any])?["phases"] as? [[String: Any]]
        let augment = stored?.first?["augment"] as? [String: Any]
        #expect((augment?["random_resized_crop"] as? [String: Any])?["scale"] as? [Double] == [0.3, 1])
        #expect(((finished["spec"] as? [String: Any])?["dataset"] as? [String: Any])?["crop_fraction"] as? Double == 0.875)
        // Each epoch reports how long training waited for the augmenting loader.
        let (_, metrics) = try daemon.client.jsonObject("GET", "/v1/jobs/\(id)/metrics")
        let epochs = metrics["data"] as? [[String: Any]] ?? []
        #expect(epochs.count == 2, "\(metrics)")
        #expect(epochs.allSatisfy { (($0["loader_wait_seconds"] as? NSNumber)?.doubleValue ?? -1) >= 0 }, "\(metrics)")
    }

    @Test(.enabled(if: fashionMNISTInstalled)) func cropFractionOnTheBuiltInIsRefusedAtSubmission() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        var spec = smallJob(model: try daemon.client.registerSmallCNN())
        var dataset = spec["dataset"] as? [String: Any] ?? [:]
        dataset["crop_fraction"] = 0.875
        spec["dataset"] = dataset
        let (status, body) = try daemon.client.jsonObject("POST", "/v1/jobs", body: spec)
        let details = ((body["error"] as? [String: Any])?["details"] as? [[String: Any]]) ?? []
        #expect(status == 422, "\(body)")
        #expect(details.contains { $0["field"] as? String == "dataset.crop_fraction" }, "\(body)")
    }
}
