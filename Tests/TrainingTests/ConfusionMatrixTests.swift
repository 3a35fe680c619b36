import Testing
@testable import JobAPI
@testable import Training

/// The test event's `confusion_matrix`: counted with the accuracies, from the same arg-max.
@Suite struct ConfusionMatrixTests {
    @Test func theTallyCountsTrueClassAgainstPrediction() {
        var tally = EvaluationTally(classes: 3)
        // Rows of logits: predicted 0, 2, 2, 1, 0 for labels 0, 0, 2, 1, 1.
        let logits: [Float] = [5, 1, 0,  0, 1, 3,  0, 0, 9,  1, 4, 2,  7, 6, 0]
        tally.add(logits: logits, labels: [0, 0, 2, 1, 1], batchLoss: 1)
        let result = tally.result
        #expect(result.confusion == [[1, 0, 1], [1, 1, 0], [0, 0, 1]])
        // The diagonal over the count is the accuracy; a row's diagonal over its sum its class's.
        #expect(result.accuracy == 3.0 / 5.0)
        #expect(result.perClassAccuracy == [0.5, 0.5, 1.0])
    }

    @Test func theEventCarriesItUnderItsKeyAndReadsBack() throws {
        let matrix = ConfusionMatrix(classes: ["a", "b"], counts: [[3, 1], [0, 4]])
        let event = TestEvent(test: .init(loss: 0.5, accuracy: 0.875, count: 8, perClassAccuracy: ["a": 0.75, "b": 1], confusionMatrix: matrix),
                              tta: nil, bestMetric: "val_loss", bestValue: 0.4, bestEpoch: 2, restoredBest: true, stopReason: nil, epochs: 2)
        let text = try TrainingEvent.test(event).payloadText()
        #expect(text.contains(#""confusion_matrix":{"classes":["a","b"],"counts":[[3,1],[0,4]]}"#))
        #expect(try TrainingEvent(type: "test", payload: text) == .test(event))
    }
}
