import Foundation
import JobAPI
import Testing
@testable import Training

/// Problems only visible with the model's groups and the dataset's size and classes.
struct ContextProblem: CustomTestStringConvertible, Sendable {
    let name: String
    let json: JSONValue
    let context: SpecContext
    let path: String
    let message: String

    init(_ name: String, _ edits: [(String, JSONValue?)], context: SpecContext = SpecContext(groups: smallCNNGroups, datasetClasses: 10),
         _ path: String, _ message: String) {
        self.name = name
        self.json = edits.reduce(exampleJob()) { $0.setting($1.0, $1.1) }
        self.context = context
        self.path = path
        self.message = message
    }

    var testDescription: String { name }
}

/// The example job as an `evaluate` job (`type` set, the training-only fields removed).
private let evaluateJob: [(String, JSONValue?)] = [("type", "evaluate"), ("phases", nil), ("optimizer", nil), ("early_stopping", nil)]

let contextProblems: [ContextProblem] = [
    .init("evaluate with a head for other classes", evaluateJob + [("num_classes", nil)],
          context: SpecContext(groups: smallCNNGroups, modelClasses: 10, datasetClasses: 10), "model",
          "predicts 10 classes, but the dataset selection has 5"),
    .init("evaluate validation without held-out images", evaluateJob + [("evaluate", ["split": "validation"]), ("dataset.validation_fraction", 0)],
          context: SpecContext(groups: smallCNNGroups, modelClasses: 5, datasetClasses: 10), "evaluate.split",
          "holds no images out"),
    .init("trainable names an unknown group", [("phases[0].trainable", ["block2", "neck"])], "phases[0].trainable[1]",
          "unknown group \"neck\" (the model's groups: block1, block2, head)"),
    .init("trainable last exceeds group count", [("phases[0].trainable", ["last": 4])], "phases[0].trainable.last",
          "is 4, but the model has only 3 groups"),
    .init("lr groups names an unknown group", [("phases[1].lr", ["groups": ["head": 1e-2, "stem": 1e-4], "default": 1e-4])],
          "phases[1].lr.groups.stem", "unknown group \"stem\""),
    .init("lr groups misses a trainable group", [("phases[1].lr", ["groups": ["head": 1e-2, "block2": 1e-3]])], "phases[1].lr.groups",
          "gives no LR for trainable group(s) block1; list them or set default"),
    .init("cache with the first group trainable", [("phases[0].trainable", ["block1", "head"]), ("phases[0].cache", true)],
          "phases[0].cache", "needs a frozen body to cache, but the first group (block1) trains"),
    .init("gradual_unfreeze with every group trainable", [("phases[0].trainable", ["last": 3]), ("phases[0].gradual_unfreeze", ["every": 1])],
          "phases[0].gradual_unfreeze", "every group already trains"),
    .init("class beyond the dataset", [("dataset.classes", [5, 6, 7, 8, 10])], "dataset.classes[4]",
          "class 10 does not exist: the dataset has classes 0..<10"),
    .init("num_classes differs from the selection", [("num_classes", 4)], "num_classes", "is 4, but the dataset selection has 5 classes"),
    .init("num_classes differs from the whole dataset", [("dataset.classes", nil), ("num_classes", 5)], "num_classes",
          "is 5, but the dataset selection has 10 classes"),
    .init("num_classes cannot be inferred", [("dataset.classes", nil), ("num_classes", nil)], context: SpecContext(groups: smallCNNGroups),
          "num_classes", "is required"),
    .init("train index beyond the dataset", [("dataset", ["id": "d", "train_indices": [1, 60_000, 60_001], "validation_indices": [2]])],
          context: SpecContext(groups: smallCNNGroups, datasetSize: 60_000), "dataset.train_indices[1]",
          "index 60000 is out of range: the dataset has 60000 images (2 indices out of range in all)"),
    .init("validation index beyond the dataset", [("dataset", ["id": "d", "train_indices": [1], "validation_indices": [70_000]])],
          context: SpecContext(groups: smallCNNGroups, datasetSize: 60_000), "dataset.validation_indices[0]", "index 70000 is out of range"),
    .init("input_size with another channel count", [("input_size", [3, 64, 64])],
          context: SpecContext(groups: smallCNNGroups, datasetClasses: 10, inputShape: [1, 28, 28]), "input_size[0]",
          "is 3 channels, but the model takes 1 (its input shape is [1, 28, 28])"),
    .init("lr_find trains an unknown group", [("type", "lr_find"), ("phases", nil), ("lr_find", ["trainable": ["fc"]])],
          "lr_find.trainable[0]", "unknown group \"fc\""),
]

@Suite struct JobSpecValidationTests {
    @Test(arguments: contextProblems)
    func contextProblemIsReported(_ c: ContextProblem) throws {
        let spec = try JobSpec.parse(json: encoded(c.json)).get()
        let problems = spec.validate(groups: c.context.groups, modelClasses: c.context.modelClasses,
                                     datasetClasses: c.context.datasetClasses, datasetSize: c.context.datasetSize,
                                     inputShape: c.context.inputShape)
        #expect(problems.count == 1 && problems[0].path == c.path && problems[0].message.contains(c.message),
                "\(c.name): got \(problems)")
        guard case .failure(let error) = JobSpec.check(json: encoded(c.json), context: c.context) else {
            Issue.record("\(c.name): check passed")
            return
        }
        #expect(error.problems == problems)
    }

    @Test func structuralAndContextProblemsAreListedTogether() {
        let json = exampleJob().setting("phases[0].epochs", 0).setting("phases[1].trainable", ["neck"])
        guard case .failure(let error) = JobSpec.check(json: encoded(json), context: SpecContext(groups: smallCNNGroups)) else {
            Issue.record("check passed")
            return
        }
        #expect(error.problems.map(\.path) == ["phases[0].epochs", "phases[1].trainable[0]"])
    }

    @Test func badFieldsDoNotCauseSecondaryContextProblems() {
        // A malformed trainable falls back to "all", which is valid for any model: one problem, not two.
        let json = exampleJob().setting("phases[0].trainable", 3)
        guard case .failure(let error) = JobSpec.check(json: encoded(json), context: SpecContext(groups: smallCNNGroups)) else {
            Issue.record("check passed")
            return
        }
        #expect(error.problems.map(\.path) == ["phases[0].trainable"])
    }
}
