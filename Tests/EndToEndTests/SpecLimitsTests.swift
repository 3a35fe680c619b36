import Foundation
import ThawClient
import Testing

/// Issue 14 against the real thawd: specs that used to kill or wedge the process are refused with
/// a 422 naming the field, and the daemon keeps serving.
@Suite(.serialized) struct SpecLimitsTests {
    /// A safetensors file with no tensors and the given `__metadata__`.
    static func safetensors(metadata: [String: String]) throws -> Data {
        let header = try JSONSerialization.data(withJSONObject: ["__metadata__": metadata])
        var bytes = Data()
        var length = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
        return bytes + header
    }

    static func linearSpec(_ n: Int) -> [String: Any] {
        ["name": "huge", "inputShape": [1, 1024, 1024], "groups": ["head"],
         "layers": [["name": "flatten", "kind": "flatten"],
                    ["name": "fc", "kind": "linear", "group": "head", "in": n, "out": n]]]
    }

    static func fields(_ error: [String: Any]) -> [String] {
        ((error["error"] as? [String: Any])?["details"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
    }

    static func errorCode(_ body: [String: Any]) -> String? { (body["error"] as? [String: Any])?["code"] as? String }
    static func errorMessage(_ body: [String: Any]) -> String { (body["error"] as? [String: Any])?["message"] as? String ?? "" }

    /// `architecture_spec` with a 4294967296 x 4294967296 linear layer used to trap (overflow) and kill
    /// thawd; at the bounds (1048576 x 1048576) it is the memory estimate that refuses it.
    @Test func hugeArchitectureSpecIsA422AndThawdSurvives() throws {
        let daemon = try DaemonProcess(arguments: ["--max-job-memory", "1GiB"])
        defer { daemon.stop() }
        let client = daemon.client
        let empty = try Self.safetensors(metadata: ["format": "pt"]).base64EncodedString()

        let (status, body) = try client.jsonObject("POST", "/v1/models", body: [
            "name": "trap", "weights_base64": empty, "architecture_spec": Self.linearSpec(4_294_967_296)])
        #expect(status == 422)
        #expect(Self.fields(body) == ["architecture_spec"])
        #expect(Self.errorMessage(body).contains("'in' must be in 1...1048576, got 4294967296"), "\(body)")

        let (boundStatus, bound) = try client.jsonObject("POST", "/v1/models", body: [
            "name": "bound", "weights_base64": empty, "architecture_spec": Self.linearSpec(1_048_576)])
        #expect(boundStatus == 422)
        #expect(Self.errorCode(bound) == "memory_limit_exceeded")
        #expect(Self.errorMessage(bound).contains("over this server's limit of 1.0 GiB (--max-job-memory)"), "\(bound)")

        // The same spec in the file's own thaw.spec metadata.
        let specJSON = String(decoding: try JSONSerialization.data(withJSONObject: Self.linearSpec(4_294_967_296)), as: UTF8.self)
        let file = try Self.safetensors(metadata: ["format": "pt", "thaw.spec": specJSON, "thaw.mean": "[]",
                                                   "thaw.std": "[]", "thaw.classes": "[]"])
        let (fileStatus, fromFile) = try client.jsonObject("POST", "/v1/models", body: [
            "name": "trap-file", "weights_base64": file.base64EncodedString()])
        #expect(fileStatus == 422)
        #expect(Self.fields(fromFile) == ["weights"])

        #expect(try client.get("/healthz").status == 200)
        #expect(daemon.process.isRunning)
    }

    /// `{"architecture": "vgg16", "num_classes": 100000}` wrote gigabytes; now the estimate (about 10 GiB)
    /// is compared with --max-job-memory first and nothing is written.
    @Test func vgg16WithAHundredThousandClassesIsRefusedBeforeWriting() throws {
        let daemon = try DaemonProcess(arguments: ["--max-job-memory", "4GiB"])
        defer { daemon.stop() }
        let (status, body) = try daemon.client.jsonObject("POST", "/v1/models", body: [
            "name": "big", "architecture": "vgg16", "num_classes": 100_000])
        #expect(status == 422)
        #expect(Self.errorCode(body) == "memory_limit_exceeded")
        #expect(Self.fields(body) == ["num_classes"])
        #expect(Self.errorMessage(body).contains("needs an estimated 10.1 GiB"), "\(body)")
        let artifacts = (daemon.dataDir as NSString).appendingPathComponent("artifacts")
        let written = (FileManager.default.enumerator(atPath: artifacts)?.allObjects as? [String] ?? [])
            .filter { !$0.hasSuffix("/") }
        let bytes = written.reduce(0) { total, name in
            total + ((try? FileManager.default.attributesOfItem(atPath: artifacts + "/" + name)[.size] as? Int) ?? 0)
        }
        #expect(bytes < 1 << 20, "artifacts hold \(bytes) bytes: \(written)")
    }

    /// The phase schedule that made a worker spin before its first batch (so cancel and SIGTERM
    /// never took effect) is refused at submission, as is the uncapped fine_tune preset.
    @Test func sgdrTinyCycleAndHugePresetAreRefused() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let model = try daemon.client.registerSmallCNN()
        var job = smallJob(model: model)
        job["phases"] = [["name": "spin", "trainable": "all", "epochs": 1,
                          "schedule": ["type": "sgdr", "cycle_len": 1e-300, "cycle_mult": 1]]]
        let (status, body) = try daemon.client.jsonObject("POST", "/v1/jobs", body: job)
        #expect(status == 422)
        #expect(Self.fields(body).contains("phases[0].schedule.cycle_len"), "\(body)")

        var preset = smallJob(model: model)
        preset["phases"] = nil
        preset["fine_tune"] = ["epochs": 1, "freeze_epochs": 9_007_199_254_740_992]
        let (presetStatus, presetBody) = try daemon.client.jsonObject("POST", "/v1/jobs", body: preset)
        #expect(presetStatus == 422)
        #expect(Self.fields(presetBody).contains("fine_tune.freeze_epochs"), "\(presetBody)")

        var longName = smallJob(model: model)
        longName["phases"] = [["name": String(repeating: "p", count: 65), "trainable": "all", "epochs": 1]]
        let (nameStatus, nameBody) = try daemon.client.jsonObject("POST", "/v1/jobs", body: longName)
        #expect(nameStatus == 422)
        #expect(Self.fields(nameBody).contains("phases[0].name"), "\(nameBody)")

        // 200 combining pairs: 200 characters to Swift, 400 to SQLite. A 422, not a 500.
        let (modelStatus, modelBody) = try daemon.client.jsonObject("POST", "/v1/models", body: [
            "name": String(repeating: "a\u{300}", count: 200), "architecture": "small-cnn"])
        #expect(modelStatus == 422)
        #expect(Self.fields(modelBody) == ["name"])
        #expect(try daemon.client.get("/healthz").status == 200)
    }

    /// The shortest SGDR cycle still accepted, with the most restarts: the job runs, is cancelled at
    /// a batch boundary, and SIGTERM stops thawd.
    @Test(.enabled(if: fashionMNISTInstalled))
    func shortestSgdrCycleRunsAndIsCancellable() throws {
        let daemon = try DaemonProcess()
        let model = try daemon.client.registerSmallCNN()
        var job = smallJob(model: model, perClass: 200)
        job["phases"] = [["name": "sgdr", "trainable": "all", "epochs": 50,
                          "schedule": ["type": "sgdr", "cycle_len": 0.001, "cycle_mult": 1]]]
        job["early_stopping"] = nil
        let (status, created) = try daemon.client.jsonObject("POST", "/v1/jobs", body: job)
        #expect(status == 201, "\(created)")
        let id = try #require(created["id"] as? String)
        _ = try daemon.client.waitForJob(id, statuses: ["running"], timeout: 120)
        let (cancelStatus, _) = try daemon.client.jsonObject("POST", "/v1/jobs/\(id)/cancel", body: [String: Any]())
        #expect(cancelStatus == 202)
        let finished = try daemon.client.waitForJob(id, statuses: ["cancelled", "failed", "succeeded"], timeout: 120)
        #expect(finished["status"] as? String == "cancelled")
        #expect(daemon.stop(signal: SIGTERM, timeout: 60) == 0)
    }
}
