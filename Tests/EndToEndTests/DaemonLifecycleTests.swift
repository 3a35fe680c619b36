import Foundation
import ThawClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Starts the real thawd binary and checks what issue 2 promises of it.
@Suite(.serialized) struct DaemonLifecycleTests {
    @Test func healthzAnswersAndSIGTERMExitsCleanly() throws {
        let daemon = try DaemonProcess()
        let response = try daemon.client.get("/healthz")
        #expect(response.status == 200)
        #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
        let body = try response.json() as? [String: Any]
        #expect(body?["status"] as? String == "ok")
        #expect(daemon.stop(signal: SIGTERM) == 0)
        #expect(daemon.logText.contains("listening on http://127.0.0.1:\(daemon.port)"))
    }

    @Test func sigintAlsoExitsCleanlyAndStoreIsCreated() throws {
        let daemon = try DaemonProcess()
        #expect(try daemon.client.get("/healthz").status == 200)
        #expect(daemon.stop(signal: SIGINT) == 0)
        #expect(FileManager.default.fileExists(atPath: daemon.dataDir + "/thaw.sqlite"))
    }

    @Test func badFlagsExitNonZeroWithAMessage() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonProcess.binaryPath)
        process.arguments = ["--port", "70000"]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus != 0)
        #expect(text.contains("port"))
    }

    @Test func helpDescribesTheOptions() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonProcess.binaryPath)
        process.arguments = ["--help"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        for option in ["--host", "--port", "--data-dir", "--dataset-root"] {
            #expect(text.contains(option), "thawd --help should describe \(option)")
        }
    }
}
