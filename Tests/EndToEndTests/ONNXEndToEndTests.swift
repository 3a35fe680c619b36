import Foundation
import ThawClient
import Testing

/// The README's ONNX evaluation against a real thawd: a small-cnn fine-tuned on Fashion-MNIST
/// classes 5-9 (as the walkthrough's job, fewer images and epochs), its best weights downloaded with
/// `thaw download --format onnx`, and the README's five lines of Python (copied from README.md as
/// they stand, only the file name replaced) run with onnxruntime from `deploy/onnx-env.sh`: they must
/// print the test accuracy thawd reported, to the image (5,000 test images, so 4 decimals are exact).
@Suite(.enabled(if: fashionMNISTInstalled)) struct ONNXEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static var python: String {
        ProcessInfo.processInfo.environment["THAW_ONNX_PYTHON"]
            ?? (ProcessInfo.processInfo.environment["THAW_ONNX_VENV"] ?? "/var/tmp/thaw-onnx") + "/bin/python"
    }

    /// The README's `python` block that imports onnxruntime.
    static func readmeSnippet() throws -> String {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let blocks = readme.components(separatedBy: "```python\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] }
        return try #require(blocks.first { $0.contains("onnxruntime as ort") }, "README.md has no onnxruntime snippet")
    }

    @Test func theREADMEsFiveLinesPrintTheTestAccuracyThawdReported() throws {
        let snippet = try Self.readmeSnippet()
        #expect(snippet.split(separator: "\n").count == 5, "the README promises five lines:\n\(snippet)")
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            Issue.record("no onnx Python at \(Self.python); create it with: PY=$(deploy/onnx-env.sh)")
            return
        }
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let client = daemon.client
        let base = try client.registerSmallCNN()
        // Trained well past chance, so that matching accuracies mean matching predictions (a model
        // that answers one class everywhere scores 0.2 in both).
        var spec = smallJob(model: base, perClass: 100, epochs: [1, 3], optimizer: "adamw")
        spec["batch_size"] = 32
        let (status, created) = try client.jsonObject("POST", "/v1/jobs", body: spec)
        #expect(status == 201, "\(created)")
        let job = try #require(created["id"] as? String)
        let done = try client.waitForJob(job, statuses: ["succeeded", "failed"], timeout: 600)
        #expect(done["status"] as? String == "succeeded", "\(done)")
        let accuracy = try #require((done["metrics"] as? [String: Any])?["test_accuracy"] as? Double)
        #expect(accuracy > 0.5, "the job learned too little for the comparison to mean much: \(accuracy)")

        let file = daemon.dataDir + "/finetune-5to9-best.onnx"
        let downloaded = try ThawCLITests.thaw(["download", job, "--checkpoint", "best", "--format", "onnx", "-o", file],
                                               server: daemon.port)
        #expect(downloaded.status == 0, "\(downloaded.stderr)")
        #expect(downloaded.stdout.contains("to \(file) (etag onnx"), "\(downloaded.stdout)")
        let viaHTTP = try client.get("/v1/jobs/\(job)/weights?checkpoint=best&format=onnx").requireSuccess()
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == Data(viaHTTP.body))
        let refused = try ThawCLITests.thaw(["download", job, "--format", "tflite", "-o", file], server: daemon.port)
        #expect(refused.status != 0 && refused.stderr.contains("--format"), "\(refused.stderr)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = ["-c", snippet.replacingOccurrences(of: "finetune-5to9-best.onnx", with: file)]
        process.environment = ProcessInfo.processInfo.environment.merging(["OMP_NUM_THREADS": "1"]) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        // `['Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] test accuracy 0.674`
        #expect(output.hasPrefix("['Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] test accuracy "), "\(output)")
        let printed = try #require(output.components(separatedBy: "test accuracy ").last
            .flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }, "\(output)")
        #expect(abs(printed - accuracy) < 1e-9, "onnxruntime printed \(printed), thawd reported \(accuracy)")
        print("onnx e2e: thawd test accuracy \(accuracy), README snippet printed \(printed), file \(viaHTTP.body.count) bytes")
    }
}
