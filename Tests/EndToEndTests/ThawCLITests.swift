import Foundation
import Testing

/// The `thaw` client binary against the real thawd: the README's day with it (submit, watch,
/// promote, download) and its errors (message on stderr, non-zero exit).
@Suite(.enabled(if: fashionMNISTInstalled)) struct ThawCLITests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var binaryPath: String {
        URL(fileURLWithPath: DaemonProcess.binaryPath).deletingLastPathComponent().appendingPathComponent("thaw").path
    }

    static func thaw(_ arguments: [String], server: Int) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binaryPath)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["THAW_SERVER": "http://127.0.0.1:\(server)"]) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting: a full pipe would otherwise block the child forever.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test func submitWatchPromoteAndDownloadWithTheCLI() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let dir = daemon.dataDir
        let client = daemon.client
        let base = try client.registerSmallCNN()
        let jobFile = dir + "/job.json"
        try JSONSerialization.data(withJSONObject: smallJob(model: base, epochs: [1, 1]))
            .write(to: URL(fileURLWithPath: jobFile))

        let submitted = try Self.thaw(["submit", "--quiet", jobFile], server: daemon.port)
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let job = submitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!job.isEmpty && !job.contains("{"), "--quiet prints only the id, got \(submitted.stdout)")

        let watched = try Self.thaw(["watch", job], server: daemon.port)
        #expect(watched.status == 0, "\(watched.stderr)")
        #expect(watched.stdout.contains("succeeded"), "watch output: \(watched.stdout)")

        let status = try Self.thaw(["status", job], server: daemon.port)
        let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect(object?["status"] as? String == "succeeded")

        let promoted = try Self.thaw(["models", "promote", job, "--name", "cli-model", "--quiet"], server: daemon.port)
        #expect(promoted.status == 0, "\(promoted.stderr)")
        let model = promoted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try client.jsonObject("GET", "/v1/models/\(model)").0 == 200)

        let weights = dir + "/best.safetensors"
        let downloaded = try Self.thaw(["download", job, "--checkpoint", "best", "-o", weights], server: daemon.port)
        #expect(downloaded.status == 0, "\(downloaded.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: weights))
        let served = try client.get("/v1/jobs/\(job)/weights?checkpoint=best")
        #expect(bytes.count > 8 && Array(bytes) == served.body)
    }

    @Test func badInputGetsAMessageAndANonZeroExit() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let missing = try Self.thaw(["submit", "/nonexistent/job.json"], server: daemon.port)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("cannot read job file"))

        let unknown = try Self.thaw(["status", "no-such-job"], server: daemon.port)
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("404") || unknown.stderr.lowercased().contains("not found"), "\(unknown.stderr)")

        let file = daemon.dataDir + "/bad.json"
        try Data(#"{"name": "x", "model": {"architecture": "small-cnn"}, "phases": []}"#.utf8).write(to: URL(fileURLWithPath: file))
        let invalid = try Self.thaw(["submit", file], server: daemon.port)
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains("422") && invalid.stderr.contains("dataset"), "\(invalid.stderr)")
    }
}
