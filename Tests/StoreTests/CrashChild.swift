import Foundation
import Testing

@testable import Store

/// What a child process does when `CrashTests` re-executes this test binary with
/// `THAW_STORE_CRASH_CHILD=<mode>:<data dir>`; skipped in every ordinary run. It never returns: the
/// parent kills it with SIGKILL at a moment of its choosing. Facts are appended to `<dir>/committed.log`
/// only after the Store call that made them durable has returned.
@Suite struct CrashChild {
    static let setting = ProcessInfo.processInfo.environment["THAW_STORE_CRASH_CHILD"]

    @Test(.enabled(if: CrashChild.setting != nil)) func run() throws {
        let parts = try #require(Self.setting?.split(separator: ":", maxSplits: 1).map(String.init))
        let (mode, directory) = (parts[0], parts[1])
        let log = CommittedLog(path: directory + "/committed.log")
        let store = try Store(configuration: .dataDirectory(directory, synchronous: .normal))
        switch mode {
        case "churn": try churn(store, log)
        case "hold-transaction": try holdTransaction(store, log)
        case "endless-artifact": try endlessArtifact(store, log)
        default: Issue.record("unknown mode \(mode)")
        }
    }

    /// The daemon's write pattern as fast as possible: submit, claim (resuming interrupted jobs first),
    /// per epoch metrics + event + an epoch checkpoint (256 KiB) + a replaced "last", then finish.
    private func churn(_ store: Store, _ log: CommittedLog) throws {
        _ = try store.recoverInterruptedJobs()
        var iteration = 0
        while true {
            iteration += 1
            let job = try store.createJob(name: "churn-\(iteration)", spec: spec)
            log.append("job \(job.id)")
            guard let claimed = try store.claimNextQueued() else { continue }
            let first = (try store.lastCheckpoint(job: claimed.id)?.epoch ?? 0) + 1
            for epoch in first...(first + 1) {
                try store.recordMetrics(job: claimed.id, phase: "head", epoch: epoch, values: #"{"loss":\#(1.0 / Double(epoch))}"#)
                let event = try store.appendEvent(job: claimed.id, type: "epoch", payload: #"{"epoch":\#(epoch)}"#)
                log.append("event \(claimed.id) \(event.id)")
                let bytes = (0..<(1 << 18)).map { UInt8(truncatingIfNeeded: $0 &+ epoch &* 7 &+ iteration) }
                let checkpoint = try store.addCheckpoint(job: claimed.id, kind: .epoch, epoch: epoch, source: .bytes(bytes))
                log.append("checkpoint \(checkpoint.id)")
                try store.addCheckpoint(job: claimed.id, kind: .last, epoch: epoch, source: .bytes(bytes))
            }
            _ = try store.transitionJob(claimed.id, to: .succeeded, result: #"{"epochs":2}"#)
            log.append("succeeded \(claimed.id)")
        }
    }

    /// Commits one job, then opens a transaction that inserts another plus enough events to spill pages
    /// into the WAL, and sleeps inside it until killed.
    private func holdTransaction(_ store: Store, _ log: CommittedLog) throws {
        let committed = try store.createJob(name: "committed", spec: spec)
        log.append("committed \(committed.id)")
        let uncommitted = try store.sync { connection in
            try connection.db.execute("BEGIN IMMEDIATE")
            let job = try connection.createJob(name: "uncommitted", priority: 0, spec: spec, modelID: nil)
            for index in 0..<5_000 {
                _ = try connection.appendEvent(jobID: job.id, type: "filler", payload: #"{"index":\#(index),"pad":"\#(String(repeating: "x", count: 200))"}"#)
            }
            return job.id
        }
        log.append("uncommitted \(uncommitted)")
        while true { Thread.sleep(forTimeInterval: 1) }
    }

    /// Stores model weights copied from /dev/zero: a write that never finishes.
    private func endlessArtifact(_ store: Store, _ log: CommittedLog) throws {
        log.append("ready")
        try store.createModel(name: "endless", architecture: "a", spec: "{}", source: .upload, weights: .file(path: "/dev/zero"))
        Issue.record("an endless write returned")
    }
}

/// Append-only text log, one fact per line; a line cut by the kill has no newline and is ignored.
struct CommittedLog {
    let path: String

    func append(_ line: String) {
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        handle.seekToEndOfFile()
        handle.write(Data((line + "\n").utf8))
        try? handle.close()
    }

    /// Complete lines only.
    func lines() -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var lines = text.components(separatedBy: "\n")
        lines.removeLast()  // after the final "\n", or a torn last line
        return lines
    }
}
