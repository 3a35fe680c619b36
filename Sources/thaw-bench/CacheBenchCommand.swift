import ArgumentParser
import Data
import Foundation
import JobAPI
import NN
import Tensor
import Training

/// `thaw-bench cache`: an epoch of head training from the precomputed body activations against the
/// same head epoch with `"cache": false` (the frozen body run on every batch) and an epoch with every
/// group trainable, through the real `JobRunner`: resnet-mini on Fashion-MNIST by default, or any
/// built-in on an RGB image folder (`--folder`, decoded at `--input-size`), e.g. resnet18 at 112 on
/// photos, where the cache holds the pooled 512-d vectors.
struct CacheBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache", abstract: "Head epoch from the activation cache vs an unfrozen epoch (JobRunner).")

    @Option(help: "Threads.") var threads: Int = 2
    @Option(help: "Images per class (10 classes; 10% go to validation).") var perClass: Int = 500
    @Option(help: "Architecture.") var arch: String = "resnet-mini"
    @Option(help: "An image folder (class sub-folders, or train/ and test/) instead of Fashion-MNIST.") var folder: String?
    @Option(help: "Side the folder's images are decoded at (square, 3 channels).") var inputSize: Int = 112
    @Option(help: "Batch size.") var batchSize: Int = 64
    @Flag(help: "Only the cached and the cache-false head phases (an augmented or unfrozen epoch of a large net at photo size takes minutes).")
    var headOnly = false

    final class Collector: JobRunObserver {
        var epochs: [EpochEvent] = []
        func emit(_ event: TrainingEvent) {
            if case .epoch(let epoch) = event { epochs.append(epoch) }
        }
        func saveCheckpoint(_ checkpoint: CheckpointPayload) throws {}
        func takeCommands() -> [PendingCommand] { [] }
        var shouldInterrupt: Bool { false }
    }

    func run() throws {
        let (selected, normalization, classes, inputSize) = try data()
        let rest = headOnly ? "" : #"""
            , {"name": "head_augmented", "trainable": ["head"], "epochs": 1, "lr": 0.003, "schedule": "constant",
               "augment": {"hflip": true}},
              {"name": "all", "trainable": "all", "epochs": 1, "lr": 0.001, "schedule": "constant"}
            """#
        let spec = """
            {"name": "cache-bench", "model": {"architecture": "\(arch)"}, "num_classes": \(classes),
             \(inputSize.map { "\"input_size\": \($0)," } ?? "")
             "dataset": {"id": "bench", "per_class": \(perClass), "validation_fraction": 0.1, "seed": 1},
             "phases": [
               {"name": "head_cached", "trainable": ["head"], "epochs": 2, "lr": 0.003, "schedule": "constant"},
               {"name": "head_uncached", "trainable": ["head"], "epochs": 1, "lr": 0.003, "schedule": "constant",
                "cache": false}\(rest)],
             "optimizer": {"type": "adamw", "weight_decay": 0.01}, "batch_size": \(batchSize), "seed": 1}
            """
        let job: JobSpec
        switch JobSpec.parse(json: Data(spec.utf8)) {
        case .success(let parsed): job = parsed
        case .failure(let error): throw ValidationError("bench spec: \(error)")
        }
        let model = try JobModel.scratch(architecture: arch, classes: classes, inputShape: inputSize, seed: 1)
        let collector = Collector()
        let input = JobRunInput(jobID: "bench", spec: job, model: model, data: selected, normalization: normalization,
                                blasThreads: threads)
        _ = JobRunner(input: input, observer: collector).run()
        for epoch in collector.epochs {
            print(BenchJSON.line([
                ("kind", .string("epoch")), ("arch", .string(arch)), ("phase", .string(epoch.phase)),
                ("from_cache", .string(epoch.fromCache ? "yes" : "no")), ("train_images", .int(selected.train.count)),
                ("train_ms", .double(epoch.trainSeconds * 1000)),
                ("cache_build_ms", .double(epoch.cacheSeconds * 1000)),
                ("eval_ms", .double(epoch.evalSeconds * 1000)),
            ]))
        }
        // The second cached epoch (the first one's build is `cache_build_ms`), the cache-false one,
        // and the unfrozen one.
        let cachedEpoch = collector.epochs.dropFirst().first?.trainSeconds ?? .nan
        let uncachedEpoch = collector.epochs.first { $0.phase == "head_uncached" }?.trainSeconds ?? .nan
        let fullEpoch = collector.epochs.last { $0.phase == "all" }?.trainSeconds ?? .nan
        print(BenchJSON.line([
            ("kind", .string("cache_speedup")), ("arch", .string(arch)), ("threads", .int(threads)),
            ("train_images", .int(selected.train.count)),
            ("cached_head_epoch_ms", .double(cachedEpoch * 1000)), ("uncached_head_epoch_ms", .double(uncachedEpoch * 1000)),
            ("unfrozen_epoch_ms", .double(fullEpoch * 1000)),
            ("speedup_vs_cache_false_x", .double(uncachedEpoch / cachedEpoch)), ("speedup_x", .double(fullEpoch / cachedEpoch)),
        ]))
    }

    /// The training images (stratified, 10% held out), their normalization, the class count and the
    /// job's `input_size` (nil: the architecture's own, for Fashion-MNIST).
    func data() throws -> (SelectedData, Normalization, Int, [Int]?) {
        let selection = DataSelection.stratified(perClass: perClass, validationFraction: 0.1, seed: 1)
        guard let folder else {
            let train = try FashionMNIST.load(split: .train)
            return (try selection.apply(train: train, test: nil), .fashionMNIST, 10, nil)
        }
        let roots = ImageFolder.splitRoots(root: folder)
        let (train, _) = try ImageFolder.load(root: roots.train, channels: 3, height: inputSize, width: inputSize)
        let selected = try selection.apply(train: train, test: nil)
        return (selected, .computed(from: selected.train), selected.classNames.count, [3, inputSize, inputSize])
    }
}
