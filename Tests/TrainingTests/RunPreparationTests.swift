import Data
import Foundation
import JobAPI
import NN
import Tensor
import Testing
@testable import Training

/// The one run preparation thawd and thaw-bench share: its normalization rule, its failure codes,
/// its defaults.
@Suite struct RunPreparationTests {
    static let spec = jobSpec("""
    {"name": "prep", "model": {"architecture": "small-cnn"},
     "dataset": {"id": "fashion-mnist", "classes": [0, 1], "per_class": 5, "validation_fraction": 0.2, "seed": 1},
     "seed": 4, "phases": [{"name": "head", "trainable": ["head"], "epochs": 1}]}
    """)
    static let fashion = LoadedDataSource(id: FashionMNIST.name, train: FashionSubsets.train, test: FashionSubsets.test)
    static let smallCNN = try! BuiltinArchitectures.spec(named: "small-cnn")

    /// A source that fails as a catalog does.
    struct Failing: RunDataSource {
        var id = "gone"
        var error: any Error
        func load(channels: Int, height: Int, width: Int, cropFraction: Double, wholePhotos: Bool) throws -> DatasetSource.Loaded { throw error }
    }

    func failure(_ body: () throws -> JobRunInput) -> RunPreparation.Failure? {
        do {
            _ = try body()
            return nil
        } catch {
            return error as? RunPreparation.Failure
        }
    }

    @Test func aBuiltInOnFashionMNISTUsesItsPublishedNormalizationAndThawdsDefaults() throws {
        let input = try RunPreparation(engineThreads: 3).input(jobID: "j", spec: Self.spec, model: .scratch(architecture: Self.smallCNN),
                                                               dataset: Self.fashion)
        #expect(input.normalization == .fashionMNIST)
        #expect(input.headIsNew && input.model.classes == 2)
        #expect(input.data.classNames == [FashionMNIST.classNames[0], FashionMNIST.classNames[1]])
        #expect(input.data.train.count + input.data.validation.count == 10)
        #expect(input.blasThreads == 3 && input.engine == Engine(threads: 3))
        #expect(input.testTimeAugmentation == .flip)
    }

    /// What thaw-bench fewshot built by hand before it shared this preparation: the same selection,
    /// the same freshly seeded model and Fashion-MNIST's constants, so its figures stay comparable.
    @Test func theFewShotProtocolsRunIsWhatItBuiltByHand() throws {
        let input = try RunPreparation(testTimeAugmentation: nil).input(jobID: "j", spec: Self.spec,
                                                                        model: .scratch(architecture: Self.smallCNN), dataset: Self.fashion)
        let data = try Self.spec.dataset.selection(jobSeed: Self.spec.seed).apply(train: FashionSubsets.train, test: FashionSubsets.test)
        let model = try JobModel.scratch(architecture: "small-cnn", classes: data.classNames.count, seed: UInt64(Self.spec.seed))
        #expect(input.model.stateDict() == model.stateDict())
        #expect(input.data.train.labels == data.train.labels && input.data.validation.labels == data.validation.labels)
        #expect(input.data.train.count == data.train.count && input.data.test?.count == data.test?.count)
        #expect(input.normalization == .fashionMNIST)
    }

    @Test func aBuiltInOnAnotherDatasetComputesTheNormalizationFromTheTrainingSplit() throws {
        let other = LoadedDataSource(id: "my-folder", train: FashionSubsets.train, test: nil)
        let input = try RunPreparation(testTimeAugmentation: nil).input(jobID: "j", spec: Self.spec,
                                                                        model: .scratch(architecture: Self.smallCNN), dataset: other)
        #expect(input.normalization == .computed(from: input.data.train))
        #expect(input.normalization != .fashionMNIST)
        #expect(input.testTimeAugmentation == nil && input.data.test == nil)
    }

    @Test func registeredWeightsKeepTheirNormalizationUnlessItDoesNotFitTheInput() throws {
        let source = try Model(architecture: "small-cnn", classes: 2, seed: 1)
        func prepare(_ normalization: Normalization?) throws -> JobRunInput {
            try RunPreparation().input(jobID: "j", spec: Self.spec,
                                       model: .pretrained(architecture: source.spec, classNames: ["a", "b"],
                                                          normalization: normalization) { source.stateDict() },
                                       dataset: Self.fashion)
        }
        let recorded = Normalization(mean: [0.5], std: [0.25])
        let kept = try prepare(recorded)
        #expect(kept.normalization == recorded)
        #expect(kept.headIsNew)  // trained on other class names
        let computed = try prepare(nil)
        #expect(computed.normalization == .computed(from: computed.data.train))
        let rgb = try prepare(Normalization(mean: [0.4, 0.4, 0.4], std: [0.2, 0.2, 0.2]))
        #expect(rgb.normalization == .computed(from: rgb.data.train))
    }

    /// A real image folder on disk, loaded as thawd's catalog loads one.
    struct Folder: RunDataSource {
        var id = "photos"
        var root: String
        func load(channels: Int, height: Int, width: Int, cropFraction: Double, wholePhotos: Bool) throws -> DatasetSource.Loaded {
            try DatasetSource.imageFolder(root: root).load(channels: channels, height: height, width: width,
                                                           cropFraction: cropFraction, wholePhotos: wholePhotos)
        }
    }

    /// Random-resized-crop draws its boxes over the whole photo: a run with it gets each training
    /// image's whole photo (its frame and size), picked as its training images are; a run without it
    /// holds no second copy.
    @Test func aRandomResizedCropRunGetsTheWholePhotosOfItsTrainingPick() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-prep-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (c, name) in ["a", "b"].enumerated() {
            try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true)
            for i in 0..<5 {
                let (w, h) = (40 + 10 * i, 30 + c)  // photo i of class c is (40 + 10i) x (30 + c)
                let png = try ImageEncoder.png([UInt8](repeating: UInt8(50 * i), count: w * h * 3), width: w, height: h, channels: 3)
                FileManager.default.createFile(atPath: "\(root)/\(name)/\(i).png", contents: Foundation.Data(png))
            }
        }
        func prepare(augment: String) throws -> JobRunInput {
            let spec = jobSpec("""
            {"name": "rrc", "model": {"architecture": "resnet18"}, "input_size": [3, 16, 16],
             "dataset": {"id": "photos", "validation_fraction": 0.4, "seed": 2}, "seed": 4,
             "phases": [{"name": "all", "trainable": "all", "epochs": 1, "augment": \(augment)}]}
            """)
            let resnet18 = try BuiltinArchitectures.spec(named: "resnet18")
            return try RunPreparation(testTimeAugmentation: nil).input(jobID: "j", spec: spec, model: .scratch(architecture: resnet18),
                                                                      dataset: Folder(root: root))
        }
        let cropped = try prepare(augment: #"{"random_resized_crop": true}"#)
        let frames = try #require(cropped.data.trainFrames)
        try frames.validate(matching: cropped.data.train)
        #expect(cropped.data.train.count == 6 && (frames.height, frames.width) == (19, 19))
        // Source index k is photo k % 5 of class k / 5.
        #expect(frames.photoSizes == cropped.data.trainIndices.map { PhotoSize(height: 30 + $0 / 5, width: 40 + 10 * ($0 % 5)) })
        #expect(try prepare(augment: #"{"hflip": true}"#).data.trainFrames == nil)
    }

    @Test func failuresCarryTheCodesTheJobRecords() {
        let prep = RunPreparation(memoryLimit: 1)
        #expect(failure { try prep.input(jobID: "j", spec: Self.spec, model: .scratch(architecture: Self.smallCNN), dataset: Self.fashion) }?
            .code == "memory_limit_exceeded")
        // Over the limit, the weights are never read.
        let unread = RunPreparation.Failure(code: "model_missing", message: "read")
        #expect(failure {
            try prep.input(jobID: "j", spec: Self.spec,
                           model: .pretrained(architecture: Self.smallCNN, classNames: [], normalization: nil) { throw unread },
                           dataset: Self.fashion)
        }?.code == "memory_limit_exceeded")
        #expect(failure {
            try RunPreparation().input(jobID: "j", spec: Self.spec,
                                       model: .pretrained(architecture: Self.smallCNN, classNames: [], normalization: nil) { throw unread },
                                       dataset: Self.fashion)
        } == unread)

        let missing = RunPreparation.Failure(code: "dataset_missing", message: "gone")
        #expect(failure {
            try RunPreparation().input(jobID: "j", spec: Self.spec, model: .scratch(architecture: Self.smallCNN),
                                       dataset: Failing(error: missing))
        } == missing)
        #expect(failure {
            try RunPreparation().input(jobID: "j", spec: Self.spec, model: .scratch(architecture: Self.smallCNN),
                                       dataset: Failing(error: DataError(.invalidSelection, path: nil, "bad")))
        }?.code == "invalid_data")

        var rgb = Self.smallCNN
        rgb.inputShape = [3, 28, 28]
        #expect(failure {
            try RunPreparation().input(jobID: "j", spec: Self.spec, model: .scratch(architecture: rgb), dataset: Self.fashion)
        }?.code == "invalid_data")  // the in-memory Fashion-MNIST is 1x28x28 only
    }
}
