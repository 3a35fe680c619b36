import ArgumentParser
import Data
import Foundation
import JobAPI
import NN
import Tensor
import Training

/// `thaw-bench cache`: an epoch of head training from the precomputed body activations against an
/// epoch with every group trainable, resnet-mini on Fashion-MNIST, through the real `JobRunner`
/// (target: the cached head epoch at least 20x faster).
struct CacheBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache", abstract: "Head epoch from the activation cache vs an unfrozen epoch (JobRunner).")

    @Option(help: "Threads.") var threads: Int = 2
    @Option(help: "Images per class (10 classes; 10% go to validation).") var perClass: Int = 500
    @Option(help: "Architecture.") var arch: String = "resnet-mini"

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
        let spec = """
            {"name": "cache-bench", "model": {"architecture": "\(arch)"}, "num_classes": 10,
             "dataset": {"id": "fashion-mnist", "per_class": \(perClass), "validation_fraction": 0.1, "seed": 1},
             "phases": [
               {"name": "head_cached", "trainable": ["head"], "epochs": 2, "lr": 0.003, "schedule": "constant"},
               {"name": "head_augmented", "trainable": ["head"], "epochs": 1, "lr": 0.003, "schedule": "constant",
                "augment": {"hflip": true}},
               {"name": "all", "trainable": "all", "epochs": 1, "lr": 0.001, "schedule": "constant"}],
             "optimizer": {"type": "adamw", "weight_decay": 0.01}, "batch_size": 64, "seed": 1}
            """
        let job: JobSpec
        switch JobSpec.parse(json: Data(spec.utf8)) {
        case .success(let parsed): job = parsed
        case .failure(let error): throw ValidationError("bench spec: \(error)")
        }
        let train = try FashionMNIST.load(split: .train)
        let selected = try DataSelection.stratified(perClass: perClass, validationFraction: 0.1, seed: 1)
            .apply(train: train, test: nil)
        let model = try Model(architecture: arch, classes: 10, seed: 1)
        let collector = Collector()
        let input = JobRunInput(jobID: "bench", spec: job, model: model, data: selected, normalization: .fashionMNIST,
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
        let cachedEpoch = collector.epochs.dropFirst().first?.trainSeconds ?? .nan
        let fullEpoch = collector.epochs.last?.trainSeconds ?? .nan
        print(BenchJSON.line([
            ("kind", .string("cache_speedup")), ("arch", .string(arch)), ("threads", .int(threads)),
            ("cached_head_epoch_ms", .double(cachedEpoch * 1000)), ("unfrozen_epoch_ms", .double(fullEpoch * 1000)),
            ("speedup_x", .double(fullEpoch / cachedEpoch)),
        ]))
    }
}
