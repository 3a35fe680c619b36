import Data
import Foundation
import ThawClient
import Testing

/// Every `$ curl` example of docs/api.md, run as written (through /bin/sh, with curl) against a live
/// thawd, in the document's order; each answer must have the documented status and shape
/// (`APIDocExample.problems`). The ids in the document are replaced by ids of objects this test
/// made in the state the example needs (a finished job, a running one, a queued one behind it, ...);
/// objects an example creates stand in for its documented id from then on. Examples that need
/// another set-up (TLS, torchvision weights, a crash, a full disk, 2048 streams) are listed in
/// `notReplayed` with the test that covers them; every other example, a new one included, is replayed.
@Suite(.enabled(if: fashionMNISTInstalled), .serialized) struct APIDocExamplesTests {
    /// Substrings of a command whose example is not replayed here, and why.
    static let notReplayed: [(String, String)] = [
        ("$TLSURL", "needs thawd with TLS and a token (SecurityTests)"),
        ("127.0.0.1:44565", "needs thawd with TLS (SecurityTests)"),
        ("torchvision", "needs torchvision (TorchvisionUploadTests)"),
        ("resnet50", "needs torchvision's resnet50 weights (TorchvisionUploadTests)"),
        ("model_1709244f9f3a4e88", "needs torchvision's resnet50 weights (TorchvisionUploadTests)"),
        ("job_5d0c6f3b2a9e8d17", "a job that crashed thawd three times (ChaosTests)"),
        ("job_0b3a7c9d1e2f4a65", "a full disk (HardeningTests)"),
        ("job_4c1d9e2b7a306f58", "a job parked across a restart (ParkedJobTests)"),
        ("thawd --data-dir", "a second thawd on the same data dir (DaemonLifecycleTests)"),
        ("thawd --store", "a second thawd on the same PostgreSQL database (PostgresStoreE2ETests)"),
        ("Last-Event-ID: 73", "a job with exactly 75 events (EventFanOutE2ETests resume from Last-Event-ID)"),
        ("Accept: text/event-stream", "2048 open streams (EventFanOutE2ETests)"),
    ]

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func everyCurlExampleAnswersAsDocumented() throws {
        let markdown = try String(contentsOf: Self.root.appendingPathComponent("docs/api.md"), encoding: .utf8)
        let examples = APIDocExample.all(in: markdown)
        #expect(examples.count > 80)
        let daemon = try DaemonProcess(arguments: ["--workers", "1", "--blas-threads", "1", "--max-job-memory", "4GiB"])
        defer { daemon.stop() }
        let world = try DocWorld(daemon)

        var replayed = 0
        var deferred: [APIDocExample] = []
        for example in examples {
            if Self.notReplayed.contains(where: { example.command.contains($0.0) }) { continue }
            // Stopping the running job frees the worker, which would start the queued jobs later
            // examples need queued: the stop and its follow-up run last.
            if example.command.contains("job_e6a0080e7afb3601/stop") || example.annotation == "after the test evaluation" {
                deferred.append(example)
                continue
            }
            try world.replay(example)
            replayed += 1
        }
        for example in deferred {
            try world.replay(example)
            replayed += 1
        }
        #expect(replayed >= 70, "only \(replayed) of \(examples.count) examples replayed")
    }
}

/// The objects the examples' documented ids stand for, and the runner.
final class DocWorld {
    let daemon: DaemonProcess
    let client: HTTPClient
    let directory: String
    /// Documented id (or ETag) → the one this run uses.
    var ids: [String: String] = [:]
    let running: String, queued: String, finished: String, busyModel: String

    init(_ daemon: DaemonProcess) throws {
        self.daemon = daemon
        client = daemon.client
        directory = daemon.dataDir + "/doc-examples"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.imageFolders(root: daemon.dataDir + "/datasets")

        // A finished pretrain (job_debec…) and the model promoted from it (model_aad8…).
        let base = try client.registerSmallCNN(name: "doc-base")
        // Two classes keep the final test evaluations short (2,000 images each).
        var pretrain = smallJob(model: base, classes: [0, 1], epochs: [1, 1], name: "fmnist-pretrain-0to4")
        pretrain["model"] = ["architecture": "small-cnn"]
        finished = try Self.submit(client, pretrain)
        let deletable = try Self.submit(client, smallJob(model: base, classes: [0, 1], perClass: 10, epochs: [1, 1], name: "to-delete"))
        _ = try client.waitForJob(deletable, statuses: ["succeeded"])
        _ = try client.waitForJob(finished, statuses: ["succeeded"])
        let promoted = try client.post("/v1/models", json: ["from_job": finished, "name": "fmnist-0to4-base"]).requireSuccess()
        let model = try #require((try promoted.json() as? [String: Any])?["id"] as? String)
        let weights = try client.get("/v1/jobs/\(finished)/weights?checkpoint=best").requireSuccess()
        try Data(weights.body).write(to: URL(fileURLWithPath: directory + "/pretrain-best.safetensors"))
        let etag = try #require(weights.header("ETag")).trimmingCharacters(in: CharacterSet(charactersIn: "\""))

        // A long job that holds the one worker (job_7b6b…), and one queued behind it (job_b7c2…).
        busyModel = try client.registerSmallCNN(name: "busy-base")
        let idleModel = try client.registerSmallCNN(name: "idle")
        running = try Self.submit(client, smallJob(model: busyModel, classes: [0, 1], perClass: 500, epochs: [100, 100], name: "long"))
        _ = try client.waitForJob(running, statuses: ["running"])
        queued = try Self.submit(client, smallJob(model: base, name: "waiting"))
        let unused = try client.post("/v1/datasets", json: ["name": "d2", "path": "d2"]).requireSuccess()
        let dataset = try #require((try unused.json() as? [String: Any])?["id"] as? String)

        ids = [
            "job_debec4a8ff3f16dc": finished, "model_aad8bbf96150cc00": model,
            "e0143adc5a793ce417ad116be4827009218d08ae72f6da30b01e83a52977b37d": etag,
            "job_7b6b53083532ffa5": running, "job_e6a0080e7afb3601": running,
            "job_b7c21ef9d1864995": queued, "job_863b5719a4b227d7": deletable,
            "model_bcd14acfeabe0a1f": idleModel, "dataset_1bdaae87aeaf70aa": dataset,
        ]
        // What the document's jobs were for its job-finetune example.
        let finetune: [String: Any] = [
            "name": "fmnist-5to9", "model": ["id": model],
            "dataset": ["id": "fashion-mnist", "classes": [5, 6, 7, 8, 9], "per_class": 20, "seed": 1, "validation_fraction": 0.2],
            "phases": [["name": "head", "trainable": ["head"], "epochs": 1, "lr": 0.003]],
        ]
        try JSONSerialization.data(withJSONObject: finetune).write(to: URL(fileURLWithPath: directory + "/finetune-5to9.json"))
    }

    static func submit(_ client: HTTPClient, _ spec: [String: Any]) throws -> String {
        let response = try client.post("/v1/jobs", json: spec).requireSuccess()
        return try #require((try response.json() as? [String: Any])?["id"] as? String)
    }

    /// `shapes` as the document registers it (train/test split, one broken PNG), `shapes-evil/circle`
    /// for the link example, and `d2`, a folder registered to be deleted.
    static func imageFolders(root: String) throws {
        func png(_ path: String, _ shade: UInt8) throws {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let pixels = (0..<64).map { UInt8((Int(shade) + $0) % 256) }
            try Data(ImageEncoder.png(pixels, width: 8, height: 8, channels: 1)).write(to: URL(fileURLWithPath: path))
        }
        for (split, count) in [("train", 6), ("test", 2)] {
            for (label, shade) in [("circle", UInt8(40)), ("square", UInt8(200))] {
                for i in 0..<count { try png("\(root)/shapes/\(split)/\(label)/\(i).png", shade &+ UInt8(i)) }
            }
        }
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]).write(to: URL(fileURLWithPath: "\(root)/shapes/train/square/broken.png"))
        try png("\(root)/shapes-evil/circle/a.png", 90)
        try png("\(root)/d2/cat/a.png", 90)
    }

    /// Runs one example and records an issue for each way its answer departs from the document's.
    func replay(_ example: APIDocExample) throws {
        try precondition(example)
        var command = example.command
        for (documented, actual) in overrides(example).merging(ids, uniquingKeysWith: { override, _ in override }) {
            command = command.replacingOccurrences(of: documented, with: actual)
        }
        // Every curl gets a time limit and prints its status last (a -w of the example's own wins).
        command = command.replacingOccurrences(of: "curl -sS", with: #"curl -sS --max-time 120 -w '\n@@STATUS %{http_code}\n'"#)
        let (status, output) = try run(command)
        // "\r\n" is one Character to Swift: replace it before splitting lines.
        let lines = output.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        if !command.contains("curl") {
            #expect(status == 0, "\(example): exit \(status): \(output)")
            return
        }
        let problems = example.problems(actualLines: lines, checkStatus: !command.contains(" | "))
        #expect(problems.isEmpty, "\(example): \(problems.joined(separator: "; "))\n-- replayed as: \(command)\n-- got:\n\(output.prefix(2000))")
        capture(example, lines)
    }

    /// An example that creates an object stands for its documented id from then on.
    func capture(_ example: APIDocExample, _ lines: [String]) {
        guard let documented = APIDocExample.json(APIDocExample.parse(example.output).body) as? [String: Any],
              let id = documented["id"] as? String, ids[id] == nil,
              let body = APIDocExample.parse(lines).body.first.flatMap({ try? JSONSerialization.jsonObject(with: Data($0.utf8)) }) as? [String: Any],
              let actual = body["id"] as? String else { return }
        ids[id] = actual
    }

    /// The job states the document's notes name, waited for before the example runs.
    func precondition(_ example: APIDocExample) throws {
        switch example.annotation {
        case "running again": _ = try client.waitForJob(running, statuses: ["running"], timeout: 120)
        case "after the test evaluation": _ = try client.waitForJob(running, statuses: ["stopped"], timeout: 300)
        default: break
        }
        if example.command.hasSuffix("job_7b6b53083532ffa5/resume"), example.annotation.isEmpty {
            _ = try client.waitForJob(running, statuses: ["paused"], timeout: 120)
        }
    }

    /// Where the document's note says its object was in another state than usual, the object of
    /// this run in that state.
    func overrides(_ example: APIDocExample) -> [String: String] {
        switch example.annotation {
        case "running": ["job_863b5719a4b227d7": running]
        case "a job is running on it": ["model_bcd14acfeabe0a1f": busyModel]
        // The document's base model was pretrained on classes 0-4; this run's on 0 and 1 (shorter test
        // evaluations), and an evaluate job keeps the model's head, so it names the classes it has.
        case "the model's classes": ["[0, 1, 2, 3, 4]": "[0, 1]"]
        case "succeeded" where example.command.contains("job_7b6b53083532ffa5"): ["job_7b6b53083532ffa5": finished]
        default: [:]
        }
    }

    func run(_ command: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging([
            "THAW": "http://127.0.0.1:\(daemon.port)", "DATASET_ROOT": daemon.dataDir + "/datasets",
            "B": "AgAAAAAAAAB7fQ==",
        ]) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
