import Data
import Foundation
import JobAPI
import NN
import Testing
@testable import Training

/// `"type": "evaluate"` jobs: figures of one split in inference mode, weights untouched.
@Suite struct JobRunnerEvaluateTests {
    static let data = FashionSubsets.select(classes: [0, 1, 2], perClass: 20, testPerClass: 10)

    static func spec(_ evaluate: String = "") -> JobSpec {
        jobSpec("""
        {"name": "eval", "type": "evaluate", "model": {"id": "m"}, "dataset": {"id": "fashion-mnist"},
         "batch_size": 8\(evaluate.isEmpty ? "" : ", \"evaluate\": \(evaluate)")}
        """)
    }

    /// A model with some training behind it (so its figures are not chance), its head kept.
    static func trainedModel() throws -> Model {
        let model = smallCNN(classes: 3, seed: 4)
        let train = jobSpec("""
        {"name": "t", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"}, "batch_size": 8,
         "phases": [{"name": "all", "trainable": "all", "epochs": 1, "lr": 0.01}]}
        """)
        _ = try #require(runJob(train, model: model, data: data, observer: RecordingObserver()).report)
        return model
    }

    static func evaluate(_ spec: JobSpec, _ model: Model, observer: RecordingObserver) -> JobRunOutcome {
        let input = JobRunInput(jobID: "eval", spec: spec, model: model, data: data, normalization: .fashionMNIST,
                                headIsNew: false, testTimeAugmentation: .flip)
        return JobRunner(input: input, observer: observer).run()
    }

    @Test func reportsTheTestSplitAndLeavesTheWeightsBitForBit() throws {
        let model = try Self.trainedModel()
        let before = WeightsFile(model: model, normalization: .fashionMNIST, classNames: Self.data.classNames, jobID: "x").encoded()
        let observer = RecordingObserver()
        let report = try #require(Self.evaluate(Self.spec(), model, observer: observer).report)
        let after = WeightsFile(model: model, normalization: .fashionMNIST, classNames: Self.data.classNames, jobID: "x").encoded()
        #expect(before == after)  // BatchNorm running statistics included
        let test = try #require(report.test)
        #expect(test.count == 30 && report.evaluatedSplit == .test && report.testTTA == nil)
        #expect(report.history.isEmpty && report.epochs == 0)
        // The same figures as the evaluator's own pass over the test split.
        let direct = try Evaluator(model: model, normalization: .fashionMNIST, batchSize: 256, checkInterrupt: {})
            .evaluate(Self.data.test!, cached: nil)
        #expect(test == direct)
        let confusion = try #require(test.confusion)
        #expect(confusion.map { $0.reduce(0, +) } == [10, 10, 10])
        #expect(abs(test.accuracy - Double((0..<3).map { confusion[$0][$0] }.reduce(0, +)) / 30) < 1e-12)
        // One `test` event naming the split, with the confusion matrix; started and succeeded around it.
        let event = try #require(observer.payloads("test").first)
        #expect(event["split"] == .string("test"))
        #expect(event["confusion_matrix"]?["classes"]?.strings == Self.data.classNames)
        #expect(observer.payloads("epoch").isEmpty && observer.checkpoints.isEmpty)
        #expect(observer.payloads("run").compactMap { $0["status"]?.string } == ["started", "succeeded"])
        let result = try JSONDecoder().decode(JSONValue.self, from: Foundation.Data(report.resultJSON().utf8))
        #expect(result["evaluation"]?["split"] == .string("test"))
        #expect(result["evaluation"]?["count"] == .number(30))
        #expect(result["evaluation"]?["accuracy"]?.double == test.accuracy)
        #expect(result["evaluation"]?["per_class_accuracy"]?[Self.data.classNames[1]]?.double == test.perClassAccuracy[1])
        #expect(result["evaluation"]?["confusion_matrix"]?["counts"] != nil)
    }

    @Test func validationSplitWithTestTimeAugmentation() throws {
        let model = try Self.trainedModel()
        let before = model.stateDict()
        let report = try #require(Self.evaluate(Self.spec(#"{"split": "validation", "tta": true}"#), model,
                                                observer: RecordingObserver()).report)
        #expect(report.test?.count == Self.data.validation.count && report.evaluatedSplit == .validation)
        let tta = try #require(report.testTTA)
        #expect(tta.count == Self.data.validation.count && tta.loss.isFinite)
        for entry in model.stateDict().entries { #expect(entry.tensor == before[entry.name]?.tensor, "\(entry.name) changed") }
    }

    static func command(_ id: String, _ action: String, _ body: String = "") -> PendingCommand {
        switch ControlCommand.parse(action: action, body: Foundation.Data(body.utf8)) {
        case .success(let c): return PendingCommand(id: id, command: c)
        case .failure(let e): fatalError("bad test command: \(e)")
        }
    }

    /// Commands reach an evaluation between its batches: `cancel` ends it, the others are refused
    /// (acknowledged, so none stays pending) and the evaluation goes on.
    @Test func cancelEndsAnEvaluationAndOtherCommandsAreRefused() throws {
        let model = try Self.trainedModel()
        let refusing = RecordingObserver()
        refusing.commandsAtBoundary[1] = [Self.command("c1", "pause"), Self.command("c2", "unfreeze", #"{"groups": ["block2"]}"#)]
        let before = model.stateDict()
        #expect(Self.evaluate(Self.spec(), model, observer: refusing).report != nil)
        let acks = refusing.payloads("control")
        #expect(acks.map { $0["id"]?.string } == ["c1", "c2"] && acks.allSatisfy { $0["ok"] == .bool(false) })
        #expect(acks.first?["error"]?.string?.contains("does not apply to an evaluate job") == true)
        for entry in model.stateDict().entries { #expect(entry.tensor == before[entry.name]?.tensor, "\(entry.name) changed") }

        let cancelling = RecordingObserver()
        cancelling.commandsAtBoundary[1] = [Self.command("c3", "cancel")]
        let outcome = Self.evaluate(Self.spec(), model, observer: cancelling)
        guard case .cancelled = outcome else { Issue.record("\(outcome)"); return }
        #expect(cancelling.payloads("control").first?["ok"] == .bool(true))
        #expect(cancelling.payloads("test").isEmpty)
        #expect(cancelling.payloads("run").compactMap { $0["status"]?.string } == ["started", "cancelled"])
    }

    /// A head the preparation had to replace would be evaluated at chance: the job fails instead.
    @Test func aReplacedHeadFailsTheJob() throws {
        let input = JobRunInput(jobID: "eval", spec: Self.spec(), model: smallCNN(classes: 3), data: Self.data,
                                normalization: .fashionMNIST, headIsNew: true)
        let outcome = JobRunner(input: input, observer: RecordingObserver()).run()
        guard case .failed(let code, let message) = outcome else { Issue.record("\(outcome)"); return }
        #expect(code == .invalidModel && message.contains("head"))
    }
}
