import Foundation
import Testing

@testable import Daemon
@testable import Store

let fashionMNISTInstalled = FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")

/// A daemon built in this process (no HTTP server, no worker threads): the test claims jobs and runs
/// `JobExecution` itself on its own thread, so what happens when is decided by the test, not a race.
final class StoppedDaemon {
    let directory: String
    /// Removed with the fixture unless a test passed it in (a restart on another fixture's files).
    private let ownsDirectory: Bool
    var daemon: Daemon?

    init(directory: String? = nil, configure: (inout DaemonConfiguration) -> Void = { _ in }) throws {
        self.directory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("thaw-daemon-\(UUID().uuidString)").path
        ownsDirectory = directory == nil
        var configuration = DaemonConfiguration()
        configuration.dataDir = self.directory
        configuration.port = 0
        configure(&configuration)
        daemon = try Daemon(configuration: configuration)
    }

    var store: Store { daemon!.store }

    /// Submits a small scratch-model job on five Fashion-MNIST classes and claims it.
    func claimedJob(epochs: [Int] = [1, 1]) throws -> JobRecord {
        let spec: [String: Any] = [
            "name": "t", "model": ["architecture": "small-cnn"], "num_classes": 5,
            "dataset": ["id": "fashion-mnist", "classes": [5, 6, 7, 8, 9], "per_class": 20, "validation_fraction": 0.2, "seed": 1],
            "phases": [
                ["name": "head", "trainable": ["head"], "epochs": epochs[0], "lr": 0.003, "schedule": "constant"],
                ["name": "all", "trainable": "all", "epochs": epochs[1], "lr": 0.001, "schedule": "constant"],
            ],
            "optimizer": ["type": "sgd"], "batch_size": 16, "seed": 3,
        ]
        let text = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
        let job = try store.createJob(name: "t", spec: text)
        let claimed = try #require(try store.claimNextQueued())
        try #require(claimed.id == job.id)
        return claimed
    }

    func run(_ job: JobRecord) { JobExecution(daemon!.executionDependencies, job: job).run() }

    deinit { if ownsDirectory { try? FileManager.default.removeItem(atPath: directory) } }
}

@Suite(.serialized, .enabled(if: fashionMNISTInstalled)) struct ParkedJobTests {
    @Test func aFullDiskDuringACheckpointKeepsThePreviousOneAndPausesTheJobUntilResumed() throws {
        let fixture = try StoppedDaemon()
        let store = fixture.store
        let job = try fixture.claimedJob()
        // Epoch 1 writes best, epoch and last; the disk is full from the next checkpoint file on.
        store.simulateDiskFull(forPathsContaining: "checkpoints/", after: 3)
        fixture.run(job)

        let parked = try store.job(job.id)
        #expect(parked.status == .paused && parked.interrupted, "\(parked)")
        #expect(parked.failure?.code == "disk_full", "\(String(describing: parked.failure))")
        let kept = try store.checkpoints(job: job.id)
        #expect(Set(kept.map(\.kind)) == [.best, .epoch, .last] && kept.allSatisfy { $0.epoch == 1 }, "\(kept)")
        for checkpoint in kept { _ = try store.readCheckpoint(checkpoint) }  // each verifies (SHA-256)
        let files = try FileManager.default.contentsOfDirectory(atPath: fixture.directory + "/artifacts/checkpoints/\(job.id)")
        #expect(files.count == kept.count, "no temp file left behind: \(files)")

        // Space is back; resume hands it to a worker that restores epoch 1 and finishes.
        store.clearDiskFull()
        _ = try store.transitionJob(job.id, to: .running)
        let again = try #require(try store.claimNextQueued())
        #expect(again.id == job.id && again.isResume)
        fixture.run(again)
        let done = try store.job(job.id)
        #expect(done.status == .succeeded && done.failure == nil, "\(done)")
        let epochs = try store.events(job: job.id).filter { $0.type == "epoch" }
        #expect(epochs.count == 2, "each epoch reported once")
    }

    @Test func aCancelLandingBetweenClaimAndStartIsHonoured() throws {
        let fixture = try StoppedDaemon()
        let store = fixture.store
        let job = try fixture.claimedJob()
        // What `postControl` does for a job no worker holds yet.
        _ = try store.transitionJob(job.id, to: .cancelled)
        fixture.run(job)
        #expect(try store.job(job.id).status == .cancelled)
        let types = try store.events(job: job.id).map(\.type)
        #expect(!types.contains("run") && !types.contains("epoch"), "the cancelled job was trained: \(types)")
        #expect(try store.checkpoints(job: job.id).isEmpty)
    }

    @Test func commandsPendingForAJobPausedAcrossARestartAreSettledAtStart() throws {
        let first = try StoppedDaemon()
        let directory = first.directory
        let job = try first.claimedJob()
        _ = try first.store.transitionJob(job.id, to: .paused)  // a live worker had paused it
        let unfreeze = try first.store.postCommand(job: job.id, type: "unfreeze", payload: #"{"groups":["all"]}"#)
        let stop = try first.store.postCommand(job: job.id, type: "stop")
        first.daemon = nil  // the process dies; the lock goes with it

        let second = try StoppedDaemon(directory: directory)
        defer { withExtendedLifetime(first) {} }  // owns the directory
        let store = second.store
        let rejected = try store.command(unfreeze.id)
        #expect(rejected.status == .rejected && rejected.message?.contains("resume it first") == true, "\(rejected)")
        #expect(try store.command(stop.id).status == .applied)
        #expect(try store.job(job.id).status == .stopped)
        #expect(try store.pendingCommands(job: job.id).isEmpty)
    }

    @Test func aSecondDaemonOnTheSameDataDirIsRefusedBeforeItRecoversAnything() throws {
        let first = try StoppedDaemon()
        let job = try first.claimedJob()
        #expect(throws: StoreError.self) { try StoppedDaemon(directory: first.directory) }
        #expect(try first.store.job(job.id).interrupted == false)
        #expect(try first.store.events(job: job.id).allSatisfy { $0.type != "interrupted" })
    }
}
