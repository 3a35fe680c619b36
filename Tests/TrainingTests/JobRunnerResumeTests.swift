import Data
import Foundation
import NN
import Testing
@testable import Training

/// A run interrupted after epoch k and resumed from its epoch checkpoint ends where the uninterrupted
/// run ends.
@Suite struct JobRunnerResumeTests {
    static let spec = jobSpec("""
    {"name": "resume", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"},
     "optimizer": {"type": "adamw", "weight_decay": 0.01}, "batch_size": 24, "seed": 11,
     "early_stopping": {"patience": 10},
     "phases": [{"name": "head", "trainable": ["head"], "epochs": 3, "lr": 0.01},
                {"name": "finetune", "trainable": ["block2", "head"], "epochs": 3, "lr": {"min": 1e-4, "max": 3e-3},
                 "schedule": {"type": "one_cycle", "pct_start": 0.3, "div_factor": 5}, "reset_optimizer": false,
                 "early_stopping": {"patience": 5}}]}
    """)

    @Test func resumedRunEndsWithTheUninterruptedRunsMetrics() throws {
        let data = FashionSubsets.select(classes: [0, 2, 5, 7, 8], perClass: 30, testPerClass: 10)
        let whole = RecordingObserver()
        let reference = try #require(runJob(Self.spec, model: smallCNN(classes: 5), data: data, observer: whole).report)
        #expect(reference.history.count == 6)

        let first = RecordingObserver()
        first.interruptAfterEpochCheckpoints = 4  // inside the finetune phase, with optimizer state
        guard case .interrupted = runJob(Self.spec, model: smallCNN(classes: 5), data: data, observer: first) else {
            Issue.record("the first run was not interrupted")
            return
        }
        let checkpoint = try #require(first.checkpoints.last { $0.kind == .epoch })
        #expect(checkpoint.globalEpoch == 4)
        let resume = try ResumeState.decode(weights: checkpoint.weights, state: try #require(checkpoint.state))
        #expect(resume.run.phaseIndex == 1 && resume.run.phaseEpoch == 1 && resume.run.phaseStarted)
        #expect(!resume.optimizer.entries.isEmpty)

        // A differently initialised model: everything must come from the checkpoint.
        let second = RecordingObserver()
        let resumed = try #require(runJob(Self.spec, model: smallCNN(classes: 5, seed: 99), data: data,
                                          observer: second, resume: resume).report)
        #expect(second.payloads("epoch").map { $0["global_epoch"]?.double } == [5, 6])
        #expect(resumed.history.count == 6)
        for (a, b) in zip(reference.history, resumed.history) {
            #expect(abs(a.trainLoss - b.trainLoss) <= 1e-5, "epoch \(a.epoch) train loss \(a.trainLoss) vs \(b.trainLoss)")
            #expect(abs((a.valLoss ?? 0) - (b.valLoss ?? 0)) <= 1e-5, "epoch \(a.epoch) val loss")
        }
        #expect(resumed.bestEpoch == reference.bestEpoch)
        let (t1, t2) = (try #require(reference.test), try #require(resumed.test))
        #expect(abs(t1.loss - t2.loss) <= 1e-5)
        #expect(t1.accuracy == t2.accuracy)
    }

    /// Dropout masks come from a stream the trainer reseeds at every epoch start, so a resumed run
    /// draws the masks the uninterrupted run drew (the model's own seed does not matter).
    @Test func resumedRunWithDropoutEndsWithTheUninterruptedRunsMetrics() throws {
        func model(seed: UInt64) throws -> Model {
            var spec = try BuiltinArchitectures.spec(named: "small-cnn", classes: 5)
            spec.layers.insert(LayerSpec(name: "drop", kind: .dropout, p: 0.3), at: spec.layers.count - 1)
            return try Model(spec: spec, seed: seed)
        }
        let spec = jobSpec("""
        {"name": "dropout", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"},
         "optimizer": {"type": "sgd", "momentum": 0.9}, "batch_size": 24, "seed": 5,
         "phases": [{"name": "all", "trainable": "all", "epochs": 4, "lr": 0.02}]}
        """)
        let data = FashionSubsets.select(classes: [0, 2, 5, 7, 8], perClass: 20, testPerClass: 5)
        let reference = try #require(runJob(spec, model: try model(seed: 1), data: data, observer: RecordingObserver()).report)
        let first = RecordingObserver()
        first.interruptAfterEpochCheckpoints = 2
        guard case .interrupted = runJob(spec, model: try model(seed: 1), data: data, observer: first) else {
            Issue.record("the first run was not interrupted")
            return
        }
        let checkpoint = try #require(first.checkpoints.last { $0.kind == .epoch })
        let resume = try ResumeState.decode(weights: checkpoint.weights, state: try #require(checkpoint.state))
        let resumed = try #require(runJob(spec, model: try model(seed: 77), data: data, observer: RecordingObserver(),
                                          resume: resume).report)
        #expect(resumed.history.count == reference.history.count)
        for (a, b) in zip(reference.history, resumed.history) {
            #expect(abs(a.trainLoss - b.trainLoss) <= 1e-5, "epoch \(a.epoch) train loss \(a.trainLoss) vs \(b.trainLoss)")
        }
    }
}
