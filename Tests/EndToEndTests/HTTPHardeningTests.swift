import Foundation
import ThawClient
import Testing

/// The HTTP hardening of issue 14 against a real thawd: per-route body limits and their flags,
/// the token checked before the body, Host syntax, non-HTTP bytes, malformed JSON as 400, and log
/// lines that client text cannot forge.
@Suite(.serialized) struct HTTPHardeningTests {
    @Test func fourMiBAtHealthzIs413AtOnce() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let c = try RawConnection(port: daemon.port)
        // Only the head is sent: the 413 must not wait for the 4 MiB (or time out on them).
        try c.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(4 << 20)\r\n\r\n")
        let r = try c.response()
        #expect(r.status == 413)
        #expect(r.body.contains("body_too_large"))
        #expect(c.waitForClose())
        // And streamed chunked: answered once 1 MiB has gone by.
        let streamed = try RawConnection(port: daemon.port)
        try streamed.send("POST /v1/jobs HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n")
        let piece = "10000\r\n" + String(repeating: "x", count: 0x10000) + "\r\n"
        for _ in 0..<64 { try? streamed.send(piece) }
        #expect(try streamed.response().status == 413)
    }

    @Test func bodyLimitFlagsSetTheJSONAndUploadLimits() throws {
        let probe = try DaemonProcess()
        let (status, model) = try probe.client.jsonObject("POST", "/v1/models", body: ["name": "src", "architecture": "small-cnn"])
        #expect(status == 201)
        let size = try #require((model["weights"] as? [String: Any])?["size"] as? Int)
        let weights = try Self.artifact(in: probe.dataDir, size: size)
        probe.stop()

        let daemon = try DaemonProcess(arguments: ["--max-json-body", "2048", "--max-upload-body", String(size + 1000)])
        defer { daemon.stop() }
        // A JSON route: 3,000 bytes is over 2,048.
        let big = try daemon.client.post("/v1/datasets", json: ["name": String(repeating: "n", count: 3000), "path": "x"])
        #expect(big.status == 413)
        // The raw upload has its own, larger limit, and a file of `size` bytes passes it.
        let uploaded = try daemon.client.send("POST", "/v1/models?name=raw", body: weights,
                                              headers: [("Content-Type", "application/octet-stream")])
        #expect(uploaded.status == 201, "\(uploaded.text)")
        // Its temporary file is gone once the request is answered.
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: daemon.dataDir + "/uploads")) ?? []
        #expect(leftovers.isEmpty)
        // Over the upload limit: 413 from the Content-Length alone.
        let c = try RawConnection(port: daemon.port)
        try c.send("POST /v1/models?name=big HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
                   + "Content-Length: \(size + 1001)\r\n\r\n")
        #expect(try c.response().status == 413)
    }

    @Test func limitFlagsOutOfRangeAreRefusedAtStart() throws {
        #expect(throws: (any Error).self) { try DaemonProcess(arguments: ["--max-json-body", "10"], timeout: 10) }
    }

    @Test func tokenIsCheckedBeforeTheBodyAndBefore100Continue() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thawd-tok-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "tok-123\n".write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(arguments: ["--auth-token-file", dir + "/token"])
        defer { daemon.stop() }
        let c = try RawConnection(port: daemon.port)
        try c.send("POST /v1/models HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                   + "Expect: 100-continue\r\nContent-Length: 100\r\n\r\n")
        let r = try c.response()
        #expect(r.status == 401) // no 100 Continue for a request that will be refused
        #expect(c.waitForClose())
        let authorized = try RawConnection(port: daemon.port)
        try authorized.send("POST /v1/models HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Authorization: Bearer tok-123\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        #expect(try authorized.response().status == 100)
    }

    @Test func invalidHostValuesAre400AndValidOnesPass() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        for host in ["bad host", "[::1", "a/b", "x@y:1", "h:port"] {
            let c = try RawConnection(port: daemon.port)
            try c.send("GET /healthz HTTP/1.1\r\nHost: \(host)\r\n\r\n")
            let r = try c.response()
            #expect(r.status == 400, "Host: \(host)")
            #expect(r.body.contains("invalid_host"))
        }
        for host in ["localhost:8080", "127.0.0.1", "[::1]:80", "example.com"] {
            let c = try RawConnection(port: daemon.port)
            try c.send("GET /healthz HTTP/1.1\r\nHost: \(host)\r\n\r\n")
            #expect(try c.response().status == 200, "Host: \(host)")
        }
    }

    @Test func tlsClientHelloOnThePlainPortIs400AndClose() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let c = try RawConnection(port: daemon.port)
        // A TLS record header and the start of a ClientHello (its "random" has no CR or LF, as most
        // do: a stray LF would already end the "request line" and get a 400 for its bare LF).
        try c.send([0x16, 0x03, 0x01, 0x00, 0xF4, 0x01, 0x00, 0x00, 0xF0, 0x03, 0x03] + (0..<32).map { UInt8($0 * 7 % 251) })
        #expect(try c.response().status == 400)
        #expect(c.waitForClose())
    }

    @Test func malformedOrMissingJSONIs400Not422() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let client = daemon.client
        let cases: [(String, String)] = [
            ("/v1/datasets", #"{"name": "d", "path": "x",}"#),
            ("/v1/models", #"{"name": "m", "architecture": "small-cnn",}"#),
            ("/v1/models", #"{"name": "m", "class_names": ["a", "b",]}"#),
            ("/v1/jobs", #"{"name": "j", "model": {"architecture": "small-cnn"},}"#),
            ("/v1/datasets", ""),
            ("/v1/models", ""),
            ("/v1/jobs", ""),
        ]
        for (path, body) in cases {
            let r = try client.post(path, rawJSON: Array(body.utf8))
            #expect(r.status == 400, "\(path) \(body.debugDescription): \(r.status) \(r.text)")
            #expect(r.text.contains("invalid_json"))
        }
        // Well-formed but wrong is still 422.
        #expect(try client.post("/v1/datasets", rawJSON: Array(#"{"name": "d"}"#.utf8)).status == 422)
    }

    /// Names are the client text the daemon logs (the worker logs a job's name when it starts it):
    /// control characters in them are refused at submission, and `Log` escapes any that reach a log
    /// line by another way (`DaemonTests/LogTests`).
    @Test(.enabled(if: fashionMNISTInstalled))
    func jobNamesCannotForgeLogLines() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let model = try daemon.client.registerSmallCNN()
        let forged = "2026-01-01T00:00:00Z thawd[error] forged line"
        var spec = smallJob(model: model, perClass: 4, epochs: [1, 0])
        spec["name"] = "evil\n\(forged)\r\u{1B}[2J"
        spec["phases"] = [["name": "head", "trainable": ["head"], "epochs": 1, "lr": 0.003]]
        let (status, body) = try daemon.client.jsonObject("POST", "/v1/jobs", body: spec)
        #expect(status == 422, "\(body)")
        let details = (body["error"] as? [String: Any])?["details"] as? [[String: Any]] ?? []
        #expect(details.contains { $0["field"] as? String == "name" }, "\(body)")
        let lines = daemon.logText.split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix(forged) })
        #expect(!daemon.logText.contains("\u{1B}"))
    }
}

extension HTTPHardeningTests {
    /// The stored weights file of `size` bytes under `dataDir/artifacts`.
    static func artifact(in dataDir: String, size: Int) throws -> [UInt8] {
        let root = dataDir + "/artifacts"
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".safetensors") {
            if let data = FileManager.default.contents(atPath: root + "/" + file), data.count == size { return Array(data) }
        }
        throw RawConnection.Failure(description: "no \(size)-byte safetensors under \(root)")
    }
}
