import Data
import Foundation
import JobAPI
import NN
import Testing
@testable import Training

/// Unfreezing the run does by itself, and open-ended phases, on real training.
@Suite struct JobRunnerUnfreezeTests {
    static let data = FashionSubsets.select(classes: [3, 6, 8], perClass: 10, testPerClass: 5)

    static func job(_ phases: String, extra: String = "") -> JobSpec {
        jobSpec("""
        {"name": "unfreeze", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"},
         "optimizer": {"type": "sgd"}, "batch_size": 8, "seed": 9, \(extra) "phases": \(phases)}
        """)
    }

    @Test func gradualUnfreezingAddsTheNextGroupEachEpoch() throws {
        let observer = RecordingObserver()
        _ = runJob(Self.job(#"[{"name": "g", "trainable": ["head"], "epochs": 2, "lr": 0.01, "gradual_unfreeze": {"every": 1}}]"#),
                   model: smallCNN(classes: 3), data: Self.data, observer: observer)
        let epochs = observer.payloads("epoch")
        #expect(epochs.map { $0["trainable"]?.strings ?? [] } == [["head"], ["block2", "head"]])
        #expect(epochs[1]["from_cache"] == .bool(true))  // cut at block2 now
        let change = try #require(observer.payloads("control").first)
        #expect(change["action"] == .string("gradual_unfreeze"))
        #expect(change["groups"]?.strings == ["block2"])
        #expect(change["id"] == nil)
    }

    @Test func autoUnfreezeActsOnAPlateau() throws {
        let observer = RecordingObserver()
        _ = runJob(Self.job(#"[{"name": "h", "trainable": ["head"], "epochs": 3, "lr": 0.01}]"#,
                            extra: #""auto_unfreeze": {"patience": 1, "min_delta": 10},"#),
                   model: smallCNN(classes: 3), data: Self.data, observer: observer)
        let epochs = observer.payloads("epoch")
        #expect(epochs.map { $0["trainable"]?.strings ?? [] } == [["head"], ["head"], ["block2", "head"]])
        #expect(observer.payloads("control").first?["action"] == .string("auto_unfreeze"))
    }

    @Test func openEndedPhaseEndsByItsOwnPatienceAndTheNextPhaseStartsFromItsBest() throws {
        let observer = RecordingObserver()
        let outcome = runJob(Self.job("""
        [{"name": "open", "trainable": ["head"], "max_epochs": 20, "lr": 0.05, "schedule": "constant",
          "early_stopping": {"patience": 1, "min_delta": 10}},
         {"name": "next", "trainable": ["head"], "epochs": 1, "lr": 0.01}]
        """), model: smallCNN(classes: 3), data: Self.data, observer: observer)
        guard case .succeeded(let report) = outcome else { Issue.record("expected success, got \(outcome)"); return }
        #expect(report.epochs == 3)
        let ended = try #require(observer.payloads("phase").first { $0["event"] == .string("ended") })
        #expect(ended["reason"] == .string("early_stopping"))
        #expect(ended["restored_best"] == .bool(true))
        #expect(ended["open_ended"] == .bool(true))
        // The checkpoint after the phase's last epoch holds its best (first) epoch's weights.
        let epochCheckpoints = observer.checkpoints.filter { $0.kind == .epoch }
        let first = try WeightsFile.decode(epochCheckpoints[0].weights), second = try WeightsFile.decode(epochCheckpoints[1].weights)
        #expect(first.stateDict == second.stateDict)
        let resume = try ResumeState.decode(weights: epochCheckpoints[1].weights, state: try #require(epochCheckpoints[1].state))
        #expect(resume.run.phaseIndex == 1 && !resume.run.phaseStarted)
    }
}
