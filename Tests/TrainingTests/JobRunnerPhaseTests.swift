import Data
import Foundation
import NN
import Testing
@testable import Training

/// Real training on tiny Fashion-MNIST subsets: phases, events, checkpoints, early stopping.
@Suite struct JobRunnerPhaseTests {
    static let epochKeys = ["phase", "epoch", "epochs", "global_epoch", "train_loss", "val_loss", "val_accuracy",
                            "per_class_accuracy", "lrs", "trainable", "seconds", "images_per_second", "from_cache"]

    @Test func headThenFinetuneRunsPhasesInOrderWithEventsAndCheckpoints() throws {
        let data = FashionSubsets.select(classes: [5, 7, 9, 0, 1], perClass: 10, testPerClass: 10)
        let spec = jobSpec("""
        {"name": "two-phase", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"},
         "optimizer": {"type": "sgd"}, "batch_size": 10, "seed": 3,
         "phases": [{"name": "head", "trainable": ["head"], "epochs": 2, "lr": 0.05},
                    {"name": "finetune", "trainable": ["block2", "head"], "epochs": 2, "lr": {"min": 1e-3, "max": 1e-2},
                     "early_stopping": {"patience": 1}}]}
        """)
        let observer = RecordingObserver()
        let outcome = runJob(spec, model: smallCNN(classes: 5), data: data, observer: observer)
        let report = try #require(outcome.report)
        guard case .succeeded = outcome else { Issue.record("expected success, got \(outcome)"); return }

        let phaseEvents = observer.payloads("phase").map { "\($0["phase"]!.string!):\($0["event"]!.string!)" }
        #expect(phaseEvents == ["head:started", "head:ended", "finetune:started", "finetune:ended"])
        let epochs = observer.payloads("epoch")
        #expect(epochs.count == report.epochs)
        #expect(epochs.count >= 3)  // the finetune phase may stop after its first non-improving epoch
        for e in epochs { for key in Self.epochKeys { #expect(e[key] != nil, "epoch event lacks \(key)") } }
        #expect(epochs[0]["from_cache"] == .bool(true))
        #expect(epochs[0]["trainable"]?.strings == ["head"])
        #expect(epochs[2]["trainable"]?.strings == ["block2", "head"])
        #expect(epochs.map { $0["global_epoch"]!.double! } == (1...epochs.count).map(Double.init))
        #expect(epochs[2]["epoch"]?.double == 1)
        // Discriminative peaks over all groups (block1 1e-3 … head 1e-2); the head's current LR is below it.
        #expect(epochs[2]["lrs"]?["head"]?.double ?? 1 < 1e-2)

        let epochCheckpoints = observer.checkpoints.filter { $0.kind == .epoch }
        #expect(epochCheckpoints.count == epochs.count)
        #expect(observer.checkpoints.contains { $0.kind == .best })
        for c in epochCheckpoints {
            let resume = try ResumeState.decode(weights: c.weights, state: try #require(c.state))
            #expect(resume.run.globalEpoch == c.globalEpoch)
            #expect(resume.weights.classNames == data.classNames)
            #expect(resume.weights.architecture.name == "small-cnn")
            #expect(resume.weights.normalization == .fashionMNIST)
            #expect(resume.weights.jobID == "job-test")
            // The weights are exactly a strict-loadable state dict of the same architecture.
            try smallCNN(classes: 5).load(stateDict: resume.weights.stateDict, strict: true)
        }
        let test = try #require(report.test)
        #expect(test.count == 50)
        #expect(observer.payloads("test").first?["test_accuracy"]?.double == test.accuracy)
        #expect(observer.payloads("run").last?["status"] == .string("succeeded"))
    }

    @Test func jobEarlyStoppingEndsAfterPatienceAndRestoresBest() throws {
        let data = FashionSubsets.select(classes: [0, 1, 2], perClass: 10, testPerClass: 5)
        // min_delta 10 on val_loss: only the first epoch can improve, so patience 2 ends epoch 3 of 6.
        let spec = jobSpec("""
        {"name": "es", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"},
         "optimizer": {"type": "sgd"}, "batch_size": 8,
         "early_stopping": {"monitor": "val_loss", "min_delta": 10, "patience": 2},
         "phases": [{"name": "head", "trainable": ["head"], "epochs": 6, "lr": 0.1, "schedule": "constant"}]}
        """)
        let observer = RecordingObserver()
        let outcome = runJob(spec, model: smallCNN(classes: 3), data: data, observer: observer)
        guard case .stopped(let report) = outcome else { Issue.record("expected a stop, got \(outcome)"); return }
        #expect(report.stopReason == .earlyStopping)
        #expect(report.epochs == 3)
        #expect(report.bestEpoch == 1)
        #expect(report.restoredBest)
        let best = try #require(observer.checkpoints.last { $0.kind == .best })
        #expect(best.globalEpoch == 1)
        #expect(try WeightsFile.decode(report.weights).stateDict == WeightsFile.decode(best.weights).stateDict)
        #expect(observer.payloads("run").last?["status"] == .string("stopped"))
    }
}
