import Data
import Foundation
import NN
import Testing
@testable import Training

/// Transfer end to end: pretrain on classes 0–4, hand the weights file over as the daemon would, new
/// head, fine-tune on classes 5–9 from few images.
@Suite struct JobRunnerTransferTests {
    @Test func fineTunedModelBeatsChanceByAWideMargin() throws {
        let source = FashionSubsets.select(classes: [0, 1, 2, 3, 4], perClass: 25, testPerClass: 1)
        let pretrain = jobSpec("""
        {"name": "source", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"}, "batch_size": 8,
         "seed": 1, "phases": [{"name": "all", "trainable": "all", "epochs": 2, "lr": 1e-2}]}
        """)
        let pre = try #require(runJob(pretrain, model: smallCNN(classes: 5, seed: 1), data: source, observer: RecordingObserver()).report)
        let file = try WeightsFile.decode(pre.weights)
        let model = try Model(spec: file.architecture)
        try model.load(stateDict: file.stateDict, strict: true)
        try model.replaceHead(classes: 5, seed: 2)

        let target = FashionSubsets.select(classes: [5, 6, 7, 8, 9], perClass: 20, testPerClass: 40)
        let finetune = jobSpec("""
        {"name": "target", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"}, "batch_size": 16,
         "seed": 2, "early_stopping": {"patience": 5},
         "phases": [{"name": "head", "trainable": ["head"], "epochs": 15, "lr": 3e-2},
                    {"name": "finetune", "trainable": ["block2", "head"], "epochs": 2, "lr": {"min": 1e-4, "max": 1e-3}}]}
        """)
        let report = try #require(runJob(finetune, model: model, data: target, observer: RecordingObserver()).report)
        let accuracy = try #require(report.test?.accuracy)
        #expect(accuracy >= 0.5, "test accuracy \(accuracy) on 5 classes (chance 0.2)")
    }
}
