import Foundation
import ThawClient
#if canImport(Glibc)
import Glibc
#endif

/// The real `thawd` binary, started on a free port with its own data directory, for end-to-end
/// tests. `deploy/test.sh` builds it before the tests run; THAWD_BINARY overrides the path.
final class DaemonProcess: @unchecked Sendable {
    static var binaryPath: String {
        if let path = ProcessInfo.processInfo.environment["THAWD_BINARY"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/thawd").path
    }

    let dataDir: String
    /// The data directory is removed with the process unless the test passed one in.
    private let ownsDataDir: Bool
    let process = Process()
    private let output = Pipe()
    private let lock = NSLock()
    private var log = ""
    private(set) var port = 0

    /// Starts thawd and waits until its log names the port it listens on.
    init(dataDir: String? = nil, arguments: [String] = [], timeout: TimeInterval = 30) throws {
        let dir = dataDir ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("thawd-e2e-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        self.dataDir = dir
        ownsDataDir = dataDir == nil
        process.executableURL = URL(fileURLWithPath: Self.binaryPath)
        process.arguments = ["--host", "127.0.0.1", "--port", "0", "--data-dir", dir] + arguments
        process.standardOutput = output
        process.standardError = output
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.log += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let port = Self.listeningPort(in: logText) { self.port = port; return }
            if !process.isRunning { break }
            usleep(20_000)
        }
        process.terminate()
        throw E2EError.startFailed(log: logText)
    }

    var logText: String { lock.withLock { log } }

    var client: HTTPClient { HTTPClient(host: "127.0.0.1", port: port, timeout: 30) }

    /// Parses "listening on http://127.0.0.1:PORT" (or https) from the log.
    static func listeningPort(in log: String) -> Int? {
        guard let range = log.range(of: "listening on http") else { return nil }
        let rest = log[range.upperBound...]
        guard let slashes = rest.range(of: "://") else { return nil }
        let address = rest[slashes.upperBound...].prefix { !$0.isWhitespace }
        guard let colon = address.lastIndex(of: ":") else { return nil }
        return Int(address[address.index(after: colon)...])
    }

    /// Sends `signal` and waits for the process to exit; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: TimeInterval = 30) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        output.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        if ownsDataDir { try? FileManager.default.removeItem(atPath: dataDir) }
    }
}

enum E2EError: Error, CustomStringConvertible {
    case startFailed(log: String)
    case timedOut(String)
    var description: String {
        switch self {
        case .startFailed(let log): return "thawd did not start; its log:\n\(log)"
        case .timedOut(let what): return "timed out: \(what)"
        }
    }
}
