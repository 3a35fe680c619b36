import Data
import JobAPI
import NN
import Testing
@testable import Training

/// How a job's starting network is built: the head of a registered model is replaced unless it
/// already predicts the job's classes.
@Suite struct JobModelTests {
    let source = ["T-shirt/top", "Pullover", "Sandal", "Sneaker", "Bag"]
    let target = ["Trouser", "Dress", "Coat", "Shirt", "Ankle boot"]

    @Test func headIsReplacedWhenClassesDifferEvenAtTheSameCount() {
        #expect(JobModel.needsNewHead(modelClasses: 5, modelClassNames: source, jobClassNames: target))
        #expect(JobModel.needsNewHead(modelClasses: 10, modelClassNames: [], jobClassNames: target))
        #expect(JobModel.needsNewHead(modelClasses: 5, modelClassNames: Array(source.reversed()), jobClassNames: source))
    }

    @Test func headIsKeptForTheSameClassesOrUnnamedOnesOfTheSameCount() {
        #expect(!JobModel.needsNewHead(modelClasses: 5, modelClassNames: source, jobClassNames: source))
        #expect(!JobModel.needsNewHead(modelClasses: 5, modelClassNames: [], jobClassNames: target))
    }

    @Test func pretrainedKeepsTheBodyAndSeedsANewHead() throws {
        let pretrained = try Model(architecture: "small-cnn", classes: 5, seed: 7)
        let weights = pretrained.stateDict()
        let (a, aNew) = try JobModel.pretrained(spec: pretrained.spec, weights: weights, classNames: source,
                                                jobClassNames: target, seed: 42)
        let (b, _) = try JobModel.pretrained(spec: pretrained.spec, weights: weights, classNames: source,
                                             jobClassNames: target, seed: 42)
        let (c, _) = try JobModel.pretrained(spec: pretrained.spec, weights: weights, classNames: source,
                                             jobClassNames: target, seed: 43)
        #expect(aNew)
        func tensor(_ m: Model, _ name: String) -> [Float] { m.stateDict().entries.first { $0.name == name }!.tensor.storage }
        func original(_ name: String) -> [Float] { weights.entries.first { $0.name == name }!.tensor.storage }
        #expect(tensor(a, "features.0.weight") == original("features.0.weight"))
        #expect(tensor(a, "features.11.running_var") == original("features.11.running_var"))
        #expect(tensor(a, "fc.weight") != original("fc.weight"))
        #expect(tensor(a, "fc.weight") == tensor(b, "fc.weight"))
        #expect(tensor(a, "fc.weight") != tensor(c, "fc.weight"))
        #expect(a.classes == 5)

        let (kept, keptNew) = try JobModel.pretrained(spec: pretrained.spec, weights: weights, classNames: source,
                                                      jobClassNames: source, seed: 42)
        #expect(!keptNew)
        #expect(tensor(kept, "fc.weight") == original("fc.weight"))
    }

    @Test func scratchIsSeeded() throws {
        let a = try JobModel.scratch(architecture: "small-cnn", classes: 5, seed: 42)
        let b = try JobModel.scratch(architecture: "small-cnn", classes: 5, seed: 43)
        #expect(a.classes == 5)
        #expect(a.stateDict().entries[0].tensor.storage != b.stateDict().entries[0].tensor.storage)
    }

    @Test func datasetSpecSelectionFallsBackToTheJobSeed() {
        let stratified = DatasetSpec(id: "fashion-mnist", classes: [1, 3],
                                     split: .stratified(perClass: 20, validationFraction: 0.5, seed: nil))
        #expect(stratified.selection(jobSeed: 9) == DataSelection(classes: [1, 3], split: .stratified(
            perClass: 20, validationFraction: 0.5, seed: 9)))
        let fixed = DatasetSpec(id: "fashion-mnist", classes: [1, 3], split: .fixed(train: [4, 2], validation: [7]))
        #expect(fixed.selection(jobSeed: 9) == DataSelection(classes: [1, 3], split: .explicit(train: [4, 2], validation: [7])))
    }
}
