import Data
import Foundation
import JobAPI
import NN
import Testing
@testable import Training

@Suite struct JobRunnerLRFindTests {
    static let data = FashionSubsets.select(classes: [1, 4, 8], perClass: 10, testPerClass: 5)

    static func spec(_ finder: String) -> JobSpec {
        jobSpec("""
        {"name": "lrf", "type": "lr_find", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"},
         "optimizer": {"type": "sgd"}, "batch_size": 8, "lr_find": \(finder)}
        """)
    }

    @Test func sweepRestoresTheStartingWeightsAndSuggestsLRs() throws {
        let model = smallCNN(classes: 3)
        let start = model.stateDict()
        let observer = RecordingObserver()
        let outcome = runJob(Self.spec(#"{"start_lr": 1e-4, "end_lr": 1, "num_it": 20, "stop_div": false, "trainable": ["head"]}"#),
                             model: model, data: Self.data, observer: observer)
        let result = try #require(outcome.report?.lrFind)
        #expect(result.lrs.count == 20)
        #expect(result.endedBy == "completed")
        #expect(abs(result.lrs[0] - 1e-4) < 1e-12)
        let suggestions = try #require(result.suggestions)
        #expect((1e-4...1).contains(suggestions.valley))
        #expect((1e-4...1).contains(suggestions.steep))
        #expect(model.stateDict() == start)
        let event = try #require(observer.payloads("lr_find").first)
        #expect(event["suggestions"]?["valley"]?.double == suggestions.valley)
        #expect(observer.checkpoints.isEmpty)
    }

    @Test func sweepStopsOnDivergenceAndStillRestores() throws {
        let model = smallCNN(classes: 3)
        let start = model.stateDict()
        let observer = RecordingObserver()
        let outcome = runJob(Self.spec(#"{"start_lr": 1e-2, "end_lr": 100, "num_it": 40, "trainable": ["head"]}"#),
                             model: model, data: Self.data, observer: observer)
        let result = try #require(outcome.report?.lrFind)
        #expect(result.endedBy == "diverged" || result.endedBy == "nonFinite")
        #expect(result.lrs.count < 40)
        #expect(model.stateDict() == start)
    }
}
