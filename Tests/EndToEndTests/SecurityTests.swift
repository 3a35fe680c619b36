import Foundation
import ThawClient
import Testing

/// thawd's TLS and bearer-token options, driven by real clients (curl and thaw's own).
@Suite(.serialized) struct SecurityTests {
    func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thawd-sec-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func run(_ tool: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func bearerTokenGuardsTheAPIButNotHealthz() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tokenFile = dir + "/token"
        try "s3cret-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(arguments: ["--auth-token-file", tokenFile])
        defer { daemon.stop() }
        #expect(try daemon.client.get("/healthz").status == 200)
        let denied = try daemon.client.get("/v1/models")
        #expect(denied.status == 401)
        #expect(denied.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        var wrong = daemon.client
        wrong.token = "s3cret-tokeX"
        #expect(try wrong.get("/v1/models").status == 401)
        var right = daemon.client
        right.token = "s3cret-token"
        #expect(try right.get("/v1/models").status == 200)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/bin/openssl") && FileManager.default.fileExists(atPath: "/usr/bin/curl")))
    func servesHTTPSWithAGivenCertificate() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (status, output) = try run("openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem",
            "-days", "1", "-subj", "/CN=127.0.0.1",
        ])
        #expect(status == 0, "openssl: \(output)")
        let daemon = try DaemonProcess(arguments: ["--tls-cert", dir + "/cert.pem", "--tls-key", dir + "/key.pem"])
        defer { daemon.stop() }
        #expect(daemon.logText.contains("listening on https://127.0.0.1:\(daemon.port)"))
        let (curlStatus, body) = try run("curl", ["-sk", "--cacert", dir + "/cert.pem", "https://127.0.0.1:\(daemon.port)/healthz"])
        #expect(curlStatus == 0)
        #expect(body.contains("\"status\":\"ok\""), "curl said: \(body)")
        // Plain HTTP to the TLS port is not answered as HTTP.
        #expect((try? daemon.client.get("/healthz"))?.status != 200)
    }

    @Test func tlsCertificateWithoutKeyIsRefusedAtStart() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonProcess.binaryPath)
        process.arguments = ["--port", "0", "--data-dir", try temporaryDirectory(), "--tls-cert", "/nonexistent.pem"]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus != 0)
        #expect(text.contains("tls"))
    }
}
