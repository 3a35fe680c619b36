import Data
import JobAPI
import NN

/// The model a job starts from, as its caller resolved it (the daemon from its store, a benchmark
/// from a weights file).
public enum ResolvedModel {
    /// A registered model: its architecture and class names, the input normalization its weights
    /// were trained with (nil or empty when it does not record one), and its weights, read only once
    /// the run passed every cheaper check (the memory limit among them).
    case pretrained(architecture: ArchitectureSpec, classNames: [String], normalization: Normalization?,
                    weights: () throws -> StateDict)
    /// A built-in architecture, every weight freshly initialised from the job's seed.
    case scratch(architecture: ArchitectureSpec)

    public var architecture: ArchitectureSpec {
        switch self {
        case .pretrained(let architecture, _, _, _), .scratch(let architecture): architecture
        }
    }
}

/// Where a run's images come from: a dataset's splits, decoded at the run's input shape.
public protocol RunDataSource {
    /// The dataset's id (`fashion-mnist` has a published normalization).
    var id: String { get }
    /// Throws a `RunPreparation.Failure` to fail the run with its code (`dataset_missing`), anything
    /// else to fail it as `invalid_data`. `wholePhotos`: the run draws random-resized-crop boxes, so
    /// a source whose images are crops of larger photos also returns those photos (`trainFrames`).
    func load(channels: Int, height: Int, width: Int, cropFraction: Double, wholePhotos: Bool) throws -> DatasetSource.Loaded
}

/// Splits already in memory (a benchmark's Fashion-MNIST), served at their own shape only and
/// without cropping, as thawd serves its built-in dataset: its images are the whole photos.
public struct LoadedDataSource: RunDataSource, Sendable {
    public var id: String
    public var train: LabeledImages
    public var test: LabeledImages?

    public init(id: String, train: LabeledImages, test: LabeledImages?) {
        self.id = id
        self.train = train
        self.test = test
    }

    public func load(channels: Int, height: Int, width: Int, cropFraction: Double, wholePhotos: Bool) throws -> DatasetSource.Loaded {
        guard cropFraction == 1 else {
            throw DataError(.invalidSelection, path: nil, "crop_fraction applies to image folders; \(id) keeps its native size")
        }
        guard (train.channels, train.height, train.width) == (channels, height, width) else {
            throw DataError(.shapeMismatch, path: nil,
                            "\(id) is \(train.channels)x\(train.height)x\(train.width), the run needs \(channels)x\(height)x\(width)")
        }
        return DatasetSource.Loaded(train: train, test: test, skipped: [])
    }
}

/// Turns a job spec, its resolved model and its dataset into a `JobRunInput`: the one preparation
/// of a run, for thawd's workers (`Daemon/JobPreparation` resolves the store's records into these
/// arguments) and for the benchmarks (`thaw-bench fewshot`), so both train the same network on the
/// same images with the same normalization.
///
/// The rules, in order: the input shape is the spec's `input_size`, else the architecture's; the
/// dataset is decoded at it (`crop_fraction` applied) and the spec's class selection and split
/// applied with the job's seed; the memory estimate is checked against `memoryLimit`; the model is
/// the registered weights (head replaced unless it predicts the job's classes, `JobModel`) or a
/// fresh built-in; the normalization is the registered model's, else Fashion-MNIST's published one
/// on `fashion-mnist`, else computed from the training split, and computed from it too whenever its
/// channel count is not the input's.
public struct RunPreparation {
    /// A preparation that fails with the code the job records (`invalid_model`, `invalid_data`,
    /// `memory_limit_exceeded`, and what the data source or the weights closure throw as one).
    /// Anything else thrown (weights that do not read, a model that does not build) is the caller's
    /// `preparation_failed`.
    public struct Failure: Error, Equatable {
        public var code: String
        public var message: String

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    /// Workers for the engine's loops during the run (`JobRunInput.blasThreads`). Default 1.
    public var engineThreads: Int
    /// Largest memory estimate a run may have, in bytes; nil checks none. Default nil.
    public var memoryLimit: Int?
    /// Extra views of the final test evaluation, reported beside the plain figures. Default `.flip`
    /// (thawd's); nil evaluates the plain test split only.
    public var testTimeAugmentation: TestTimeAugmentation?

    public init(engineThreads: Int = 1, memoryLimit: Int? = nil, testTimeAugmentation: TestTimeAugmentation? = .flip) {
        self.engineThreads = engineThreads
        self.memoryLimit = memoryLimit
        self.testTimeAugmentation = testTimeAugmentation
    }

    /// The run of `spec` on `model` and `dataset`, continuing from `resume` when given.
    public func input(jobID: String, spec: JobSpec, model resolved: ResolvedModel, dataset: any RunDataSource,
                      resume: ResumeState? = nil) throws -> JobRunInput {
        let architecture = resolved.architecture
        let shape = spec.inputSize ?? architecture.inputShape
        guard shape.count == 3 else { throw Failure(code: "invalid_model", message: "input shape \(shape) is not C,H,W") }
        let loaded: DatasetSource.Loaded
        do {
            loaded = try dataset.load(channels: shape[0], height: shape[1], width: shape[2], cropFraction: spec.dataset.cropFraction,
                                      wholePhotos: spec.phases.contains { $0.augment?.randomResizedCrop != nil })
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(code: "invalid_data", message: "\(error)")
        }
        var data: SelectedData
        do {
            data = try spec.dataset.selection(jobSeed: spec.seed).apply(train: loaded.train, test: loaded.test)
            if let frames = loaded.trainFrames {
                try frames.validate(matching: loaded.train)
                data.trainFrames = frames.gathering(data.trainIndices)
            }
        } catch {
            throw Failure(code: "invalid_data", message: "\(error)")
        }
        let classes = data.classNames.count
        let seed = UInt64(max(0, spec.seed))
        let estimate: MemoryEstimate
        do { estimate = try spec.memoryEstimate(on: architecture, classes: classes) } catch {
            throw Failure(code: "invalid_model", message: error.description)
        }
        if let memoryLimit, let problem = estimate.problem(limit: memoryLimit, what: "the job") {
            throw Failure(code: "memory_limit_exceeded", message: problem)
        }

        let model: Model
        var normalization: Normalization
        let headIsNew: Bool
        switch resolved {
        case .pretrained(let architecture, let classNames, let recorded, let weights):
            (model, headIsNew) = try JobModel.pretrained(spec: architecture, inputShape: shape, weights: weights(),
                                                         classNames: classNames, jobClassNames: data.classNames, seed: seed)
            normalization = recorded.flatMap { $0.mean.isEmpty ? nil : $0 } ?? .computed(from: data.train)
        case .scratch(let architecture):
            model = try JobModel.scratch(architecture: architecture.name, classes: classes, inputShape: shape, seed: seed)
            headIsNew = true
            normalization = dataset.id == FashionMNIST.name ? .fashionMNIST : .computed(from: data.train)
        }
        if normalization.mean.count != shape[0] { normalization = .computed(from: data.train) }
        return JobRunInput(jobID: jobID, spec: spec, model: model, data: data, normalization: normalization,
                           blasThreads: engineThreads, resume: resume, headIsNew: headIsNew,
                           testTimeAugmentation: testTimeAugmentation)
    }
}
