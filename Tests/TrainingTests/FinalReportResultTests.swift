import JobAPI
import Testing
@testable import Training

/// The job's `result` as docs/api.md shows it (`GET /v1/jobs/{id}` of a finished job).
@Suite struct FinalReportResultTests {
    func report(stop: StopReason? = nil, test: EvaluationResult?, tta: EvaluationResult? = nil,
                bestValue: Double? = 0.34625717663764954, lrFind: LRFindResult? = nil) -> FinalReport {
        FinalReport(epochs: 3, stopReason: stop, bestMetric: "val_loss", bestValue: bestValue, bestEpoch: 3, restoredBest: true,
                    history: [], test: test, testTTA: tta, weights: [], lrFind: lrFind)
    }

    @Test func documentedResult() {
        let text = report(test: EvaluationResult(loss: 0.3650547312736511, accuracy: 0.8698, perClassAccuracy: [], count: 5000),
                          tta: EvaluationResult(loss: 0.37035681703983075, accuracy: 0.8676, perClassAccuracy: [], count: 5000))
            .resultJSON()
        #expect(text == #"{"best_epoch":3,"best_metric":"val_loss","best_value":0.34625717663764954,"epochs":3,"restored_best":true,"stop_reason":null,"test_accuracy":0.8698,"test_loss":0.3650547312736511,"tta_accuracy":0.8676,"tta_loss":0.37035681703983075}"#)
    }

    @Test func nonFiniteValuesAreNullOrLeftOut() {
        let text = report(stop: .nonFiniteLoss, test: EvaluationResult(loss: .nan, accuracy: 0.1, perClassAccuracy: [], count: 3),
                          bestValue: .infinity).resultJSON()
        #expect(text == #"{"best_epoch":3,"best_metric":"val_loss","best_value":null,"epochs":3,"restored_best":true,"stop_reason":"non_finite_loss"}"#)
    }

    /// An `lr_find` job's result carries the sweep in the `lr_find` event's form (snake_case, a
    /// non-finite point as null), so the job object and the event stream agree.
    @Test func lrFindResultHasTheEventsForm() {
        let sweep = LRFindResult(lrs: [1e-7, 1e-6], losses: [2.3, 2.1], endedBy: "completed", suggestions: nil)
        #expect(report(test: nil, lrFind: sweep).resultJSON().contains(#""lr_find":{"ended_by":"completed","losses":[2.3,2.1],"lrs":[1e-07,1e-06],"suggestions":null}"#))
        let broken = LRFindResult(lrs: [1e-7], losses: [.nan], endedBy: "nonFinite", suggestions: nil)
        #expect(report(test: nil, lrFind: broken).resultJSON().contains(#""losses":[null]"#))
    }
}
