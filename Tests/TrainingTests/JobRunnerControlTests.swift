import Data
import Foundation
import JobAPI
import NN
import Testing
@testable import Training

/// Live control at batch boundaries, on real training (head phases from the activation cache).
@Suite struct JobRunnerControlTests {
    /// 3 classes x 10 images, 8 train per class: 24 images, batch 8 = 3 batches per epoch.
    static let data = FashionSubsets.select(classes: [0, 1, 7], perClass: 10, testPerClass: 5)

    static func headJob(epochs: Int, schedule: String = "constant") -> JobSpec {
        jobSpec("""
        {"name": "control", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"},
         "optimizer": {"type": "sgd"}, "batch_size": 8, "seed": 5,
         "phases": [{"name": "head", "trainable": ["head"], "epochs": \(epochs), "lr": 0.05, "schedule": "\(schedule)"}]}
        """)
    }

    static func command(_ id: String, _ action: String, _ body: String = "") -> PendingCommand {
        switch ControlCommand.parse(action: action, body: Foundation.Data(body.utf8)) {
        case .success(let c): return PendingCommand(id: id, command: c)
        case .failure(let e): fatalError("bad test command: \(e)")
        }
    }

    @Test func unfreezeAtABatchBoundaryChangesTheTrainableSetAndDropsTheCache() throws {
        let observer = RecordingObserver()
        observer.commandsAtBoundary[2] = [Self.command("c1", "unfreeze", #"{"groups": ["block2"], "lr": 0.001}"#)]
        let outcome = runJob(Self.headJob(epochs: 2), model: smallCNN(classes: 3), data: Self.data, observer: observer)
        #expect(outcome.report != nil)
        let ack = try #require(observer.payloads("control").first)
        #expect(ack["id"] == .string("c1"))
        #expect(ack["ok"] == .bool(true))
        #expect(ack["trainable"]?.strings == ["block2", "head"])
        #expect(ack["peak_lrs"]?["block2"]?.double == 0.001)
        #expect(ack["lrs"]?["block2"]?.double == 0.001)  // constant schedule: the peak itself
        #expect(ack["from_cache"] == .bool(false))
        let epochs = observer.payloads("epoch")
        #expect(epochs[0]["trainable"]?.strings == ["block2", "head"])
        #expect(epochs[0]["from_cache"] == .bool(false))  // the cache was dropped mid-epoch
        #expect(epochs[1]["from_cache"] == .bool(true))   // rebuilt at block2 for the next epoch
        // The user's unfreeze survives in every epoch checkpoint's group state.
        let last = try #require(observer.checkpoints.last { $0.kind == .epoch })
        let resume = try ResumeState.decode(weights: last.weights, state: try #require(last.state))
        #expect(resume.run.groups.groups.first { $0.name == "block2" }?.userUnfrozen == true)
    }

    @Test func unfreezeOfAnUnknownGroupIsRejectedAndChangesNothing() throws {
        let observer = RecordingObserver()
        observer.commandsAtBoundary[2] = [Self.command("bad", "unfreeze", #"{"groups": ["block9"]}"#)]
        _ = runJob(Self.headJob(epochs: 1), model: smallCNN(classes: 3), data: Self.data, observer: observer)
        let ack = try #require(observer.payloads("control").first)
        #expect(ack["id"] == .string("bad"))
        #expect(ack["ok"] == .bool(false))
        #expect(ack["error"]?.string?.contains("block9") == true)
        #expect(ack["trainable"]?.strings == ["head"])
        #expect(observer.payloads("epoch").first?["from_cache"] == .bool(true))
    }

    @Test func lrScaleCommandScalesThePeaksTheScheduleFollows() throws {
        let observer = RecordingObserver()
        observer.commandsAtBoundary[2] = [Self.command("s", "lr", #"{"scale": 0.5, "groups": ["head"]}"#)]
        _ = runJob(Self.headJob(epochs: 1), model: smallCNN(classes: 3), data: Self.data, observer: observer)
        let ack = try #require(observer.payloads("control").first)
        #expect(ack["ok"] == .bool(true))
        #expect(ack["peak_lrs"]?["head"]?.double == 0.025)
        #expect(ack["peak_lrs"]?["block2"]?.double == 0.05)
        #expect(ack["lrs"]?["head"]?.double == 0.025)
        #expect(observer.payloads("epoch").first?["lrs"]?["head"]?.double == 0.025)
    }

    @Test func stopEndsEarlyKeepingTheBestWeights() throws {
        let observer = RecordingObserver()
        observer.commandsAtBoundary[5] = [Self.command("st", "stop")]  // second batch of epoch 2
        let outcome = runJob(Self.headJob(epochs: 4), model: smallCNN(classes: 3), data: Self.data, observer: observer)
        guard case .stopped(let report) = outcome else { Issue.record("expected a stop, got \(outcome)"); return }
        #expect(report.stopReason == .userStop)
        #expect(report.epochs == 1)
        #expect(report.restoredBest)
        let best = try #require(observer.checkpoints.last { $0.kind == .best })
        #expect(try WeightsFile.decode(report.weights).stateDict == WeightsFile.decode(best.weights).stateDict)
        #expect(report.test != nil)
        #expect(observer.payloads("control").first?["action"] == .string("stop"))
    }

    @Test func cancelEndsWithoutEvaluation() throws {
        let observer = RecordingObserver()
        observer.commandsAtBoundary[2] = [Self.command("x", "cancel")]
        let outcome = runJob(Self.headJob(epochs: 3), model: smallCNN(classes: 3), data: Self.data, observer: observer)
        guard case .cancelled = outcome else { Issue.record("expected cancel, got \(outcome)"); return }
        #expect(observer.payloads("test").isEmpty)
        #expect(observer.payloads("epoch").isEmpty)
        #expect(observer.payloads("run").last?["status"] == .string("cancelled"))
    }

    @Test func pauseBlocksUntilResumeAndChangesNoResult() throws {
        let plain = RecordingObserver()
        let reference = runJob(Self.headJob(epochs: 2, schedule: "one_cycle"), model: smallCNN(classes: 3), data: Self.data, observer: plain)
        let observer = RecordingObserver()
        observer.commandsAtBoundary[2] = [Self.command("p", "pause")]
        observer.commandsAtBoundary[6] = [Self.command("r", "resume")]  // after 4 polls while paused
        let started = ContinuousClock.now
        let outcome = runJob(Self.headJob(epochs: 2, schedule: "one_cycle"), model: smallCNN(classes: 3), data: Self.data, observer: observer)
        let acks = observer.payloads("control")
        #expect(acks.map { $0["action"]?.string } == ["pause", "resume"])
        #expect(acks.map { $0["paused"] } == [.bool(true), .bool(false)])
        #expect(started.duration(to: .now) >= .milliseconds(150))
        #expect(outcome.report?.history == reference.report?.history)
    }

    @Test func interruptionReturnsWithoutFinishing() throws {
        let observer = RecordingObserver()
        observer.interruptAfterEpochCheckpoints = 1
        let outcome = runJob(Self.headJob(epochs: 3), model: smallCNN(classes: 3), data: Self.data, observer: observer)
        guard case .interrupted = outcome else { Issue.record("expected interruption, got \(outcome)"); return }
        #expect(observer.payloads("epoch").count == 1)
        #expect(observer.payloads("test").isEmpty)
    }
}
