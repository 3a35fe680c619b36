import Foundation
import Testing

@testable import Store

/// A child process (this test binary, re-executed in `CrashChild` mode) writes to a data dir and is
/// killed with SIGKILL mid-write; the parent re-opens the store and checks it holds exactly committed
/// state: sound file, every logged fact present, no torn or unreferenced artifact visible.
@Suite(.serialized) struct CrashTests {
    @Test func killedMidChurnLeavesOnlyCommittedState() throws {
        let directory = TemporaryDirectory()
        let log = CommittedLog(path: directory.file("committed.log"))
        for round in 1...4 {
            let child = try spawnChild(mode: "churn", directory: directory.path)
            let linesBefore = log.lines().count
            try waitUntil("child logs progress in round \(round)") { log.lines().count >= linesBefore + 8 + round }
            Thread.sleep(forTimeInterval: Double.random(in: 0...0.05))
            try kill9(child)
            try verifyChurn(directory: directory, log: log)
        }
    }

    @Test func uncommittedTransactionIsGoneAfterKill() throws {
        let directory = TemporaryDirectory()
        let log = CommittedLog(path: directory.file("committed.log"))
        let child = try spawnChild(mode: "hold-transaction", directory: directory.path)
        try waitUntil("the child holds its transaction") { log.lines().contains { $0.hasPrefix("uncommitted ") } }
        try kill9(child)
        let lines = log.lines()
        let committed = String(try #require(lines.first { $0.hasPrefix("committed ") }).dropFirst("committed ".count))
        let uncommitted = String(try #require(lines.first { $0.hasPrefix("uncommitted ") }).dropFirst("uncommitted ".count))

        let store = try Store(configuration: .dataDirectory(directory.path, synchronous: .normal))
        #expect(try store.rawQuery("PRAGMA integrity_check") == [[.text("ok")]])
        #expect(try store.job(committed).name == "committed")
        #expect(throws: StoreError.notFound(kind: "job", id: uncommitted)) { try store.job(uncommitted) }
        #expect(try store.rawQuery("SELECT count(*) FROM job_events WHERE type = 'filler'") == [[.integer(0)]])
        let fresh = try store.createJob(spec: spec)  // the dead writer's lock is gone
        #expect(try store.jobs().data.map(\.id) == [fresh.id, committed])
    }

    @Test func tornArtifactWriteIsNeverVisible() throws {
        let directory = TemporaryDirectory()
        let log = CommittedLog(path: directory.file("committed.log"))
        let models = directory.file("artifacts/models")
        let child = try spawnChild(mode: "endless-artifact", directory: directory.path)
        var temp: String?
        try waitUntil("a temp file over 4 MiB appears") {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: models)) ?? []
            temp = names.first { $0.hasPrefix(ArtifactFiles.tempPrefix) }
            guard let temp else { return false }
            let size = (try? FileManager.default.attributesOfItem(atPath: models + "/" + temp)[.size] as? Int) ?? 0
            return size > 4 << 20
        }
        try kill9(child)
        #expect(log.lines() == ["ready"])
        let torn = try #require(temp)
        #expect(FileManager.default.fileExists(atPath: models + "/" + torn), "the kill left a torn temp file")

        let store = try Store(configuration: .dataDirectory(directory.path, synchronous: .normal))
        #expect(store.sweptArtifacts == ["models/" + torn])
        #expect(try store.models().data.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: models).isEmpty)
    }

    // MARK: Helpers

    private func verifyChurn(directory: TemporaryDirectory, log: CommittedLog) throws {
        let store = try Store(configuration: .dataDirectory(directory.path, synchronous: .normal))
        #expect(try store.rawQuery("PRAGMA integrity_check") == [[.text("ok")]])
        #expect(try store.rawQuery("PRAGMA foreign_key_check").isEmpty)
        for line in log.lines() {
            let fields = line.split(separator: " ").map(String.init)
            switch fields[0] {
            case "job": _ = try store.job(fields[1])
            case "event": #expect(try store.lastEventID(job: fields[1]) >= Int(fields[2])!)
            case "checkpoint": _ = try store.checkpoint(fields[1])
            case "succeeded": #expect(try store.job(fields[1]).status == .succeeded)
            default: Issue.record("unexpected log line \(line)")
            }
        }
        var referenced: Set<String> = []
        var jobs: [JobRecord] = []
        var request = PageRequest(limit: 100)
        while true {
            let page = try store.jobs(page: request)
            jobs += page.data
            guard let next = page.nextCursor(\.id) else { break }
            request.after = next
        }
        for job in jobs {
            let events = try store.events(job: job.id, limit: 10_000)
            #expect(events.map(\.id) == (0..<events.count).map { $0 + 1 }, "event ids are gap-free")
            #expect(events.first?.payload == #"{"status":"queued"}"#, "job creation is atomic with its event")
            for checkpoint in try store.checkpoints(job: job.id) {
                _ = try store.verifiedArtifact(checkpoint.artifact)  // throws on a torn or foreign file
                referenced.insert(checkpoint.artifact.path)
            }
        }
        #expect(Set(regularFiles(under: directory.file("artifacts"))) == referenced, "only referenced, complete artifacts remain")
    }

    private func regularFiles(under root: String) -> [String] {
        let walker = FileManager.default.enumerator(atPath: root)
        var found: [String] = []
        while let path = walker?.nextObject() as? String {
            if walker?.fileAttributes?[.type] as? FileAttributeType == .typeRegular { found.append(path) }
        }
        return found
    }

    private func spawnChild(mode: String, directory: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = ["--testing-library", "swift-testing", "--filter", "StoreTests.CrashChild"]
        var environment = ProcessInfo.processInfo.environment
        environment["THAW_STORE_CRASH_CHILD"] = "\(mode):\(directory)"
        process.environment = environment
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let errors = directory + "/child-\(mode).stderr"
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: errors)
        try process.run()
        return process
    }

    private func kill9(_ process: Process) throws {
        try #require(process.isRunning, "the child exited before it was killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
    }

    private func waitUntil(_ what: String, timeout: TimeInterval = 60, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { throw CrashTestTimeout(what: what) }
            Thread.sleep(forTimeInterval: 0.005)
        }
    }
}

struct CrashTestTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting until \(what)" }
}
