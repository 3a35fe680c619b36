import ArgumentParser
import Data
import Foundation
import JobAPI
import NN
import Training

/// `thaw-bench fewshot`: the few-shot transfer protocol of examples/fewshot/README.md ("The
/// protocol") on real Fashion-MNIST through the real `JobRunner`, from the job specs users post
/// (examples/fewshot). Pretrains small-cnn on the source classes once (or loads `--pretrained`), then
/// runs every strategy x seed on the pick's exact images (`fixed`) and on Thaw's seeded pick
/// (`seeded`), printing one JSON line per run and a markdown table per pick beside PyTorch's figures.
struct FewShotBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fewshot", abstract: "Few-shot transfer quality: every strategy x seed vs PyTorch's figures.")

    static let allStrategies = ["recipe", "head_only", "full_from_start", "gradual", "scratch_1e-3", "scratch_3e-3",
                                "scratch_1e-2"]

    @Option(help: "The pick file (exact training images of source and target).")
    var pick = "examples/fewshot/fewshot_pick.json"
    @Option(help: "Directory of the job specs: pretrain.json, fixed/<strategy>.json, seeded/<strategy>.json.")
    var examples = "examples/fewshot"
    @Option(help: "Threads (OpenBLAS and the engine's loops).") var threads = 2
    @Option(help: "Seeds, comma-separated (replace the specs' seed).") var seeds = "42,43,44"
    @Option(help: "Strategies, comma-separated.") var strategies = allStrategies.joined(separator: ",")
    @Option(help: "Picks, comma-separated: fixed (the pick file's images), seeded (the specs' stratified pick).")
    var picks = "fixed,seeded"
    @Option(help: "Pretrained weights to use instead of pretraining.") var pretrained: String?
    @Option(help: "Where pretraining saves its weights (pass it as --pretrained to skip pretraining next time).")
    var savePretrained = ".build/fewshot-pretrained.safetensors"
    @Option(help: "Also write the JSON lines to this file.") var out: String?

    func run() throws {
        let pickFile = try FewShotPick.load(pick)
        let runner = FewShotRun(train: try FashionMNIST.load(split: .train), test: try FashionMNIST.load(split: .test),
                                threads: threads)
        var output = JSONLines(path: out)
        let weights = try pretrainedWeights(pickFile, runner, &output)
        let seedList = try seeds.split(separator: ",").map { s in
            guard let n = Int(s.trimmingCharacters(in: .whitespaces)), n >= 0 else { throw ValidationError("bad seed \(s)") }
            return n
        }
        let strategyList = strategies.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        var tables: [FewShotTable] = []
        for pickName in picks.split(separator: ",").map(String.init) {
            guard pickName == "fixed" || pickName == "seeded" else { throw ValidationError("unknown pick \(pickName)") }
            var table = FewShotTable(pick: pickName)
            for strategy in strategyList {
                let base = try loadSpec("\(examples)/\(pickName)/\(strategy).json")
                for seed in seedList {
                    var spec = base
                    spec.seed = seed
                    if pickName == "fixed" { try usePickImages(&spec, pickFile.target, file: "\(pickName)/\(strategy).json") }
                    let result = try runner.run(spec, pretrained: weights)
                    table.add(strategy: strategy, accuracy: result.testAccuracy, epochs: result.report.epochs,
                              seconds: result.seconds)
                    output.write(line(kind: "fewshot_run", pick: pickName, strategy: strategy, seed: seed, result))
                }
            }
            print("\n### \(pickName) pick (threads \(threads), seeds \(seeds))\n\n\(table.markdown)\n")
            if let bar = table.bar { print(bar) }
            tables.append(table)
        }
    }

    /// Loads `--pretrained`, or runs examples/fewshot/pretrain.json on the pick's source images and
    /// saves the best weights to `--save-pretrained`.
    func pretrainedWeights(_ pickFile: FewShotPick, _ runner: FewShotRun, _ output: inout JSONLines) throws -> WeightsFile {
        if let pretrained {
            guard let bytes = FileManager.default.contents(atPath: pretrained) else {
                throw ValidationError("cannot read --pretrained \(pretrained)")
            }
            return try WeightsFile.decode(Array(bytes))
        }
        var spec = try loadSpec("\(examples)/pretrain.json")
        try usePickImages(&spec, pickFile.source, file: "pretrain.json")
        let result = try runner.run(spec, pretrained: nil)
        let directory = (savePretrained as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        guard FileManager.default.createFile(atPath: savePretrained, contents: Foundation.Data(result.report.weights)) else {
            throw ValidationError("cannot write \(savePretrained)")
        }
        output.write(line(kind: "fewshot_pretrain", pick: "source", strategy: "pretrain", seed: spec.seed, result)
            .dropLast() + ",\"weights\":\"\(savePretrained)\"}")
        return try WeightsFile.decode(result.report.weights)
    }

    func loadSpec(_ path: String) throws -> JobSpec {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
        let spec: JobSpec
        switch JobSpec.parse(json: data) {
        case .success(let parsed): spec = parsed
        case .failure(let error): throw ValidationError("\(path): \(error)")
        }
        // The checks thawd's POST /v1/jobs makes against small-cnn and Fashion-MNIST (a 422 otherwise).
        let problems = spec.validate(groups: try Model(architecture: "small-cnn").groups,
                                     datasetClasses: FashionMNIST.classNames.count, datasetSize: 60_000)
        guard problems.isEmpty else { throw ValidationError("\(path): \(problems)") }
        return spec
    }

    /// The pick file is the truth for the fixed split: its classes and indices replace the spec's
    /// (a warning says when the spec held others, i.e. the examples need regenerating).
    func usePickImages(_ spec: inout JobSpec, _ task: FewShotPick.Task, file: String) throws {
        guard case .fixed(let train, let validation) = spec.dataset.split else {
            throw ValidationError("\(file): expected a fixed split (train_indices / validation_indices)")
        }
        if train != task.train || validation != task.validation || spec.dataset.classes != task.classes {
            FileHandle.standardError.write(Foundation.Data("warning: \(file) differs from the pick file; using the pick's images\n".utf8))
        }
        spec.dataset.classes = task.classes
        spec.dataset.split = .fixed(train: task.train, validation: task.validation)
    }

    func line(kind: String, pick: String, strategy: String, seed: Int, _ r: FewShotRun.Result) -> String {
        BenchJSON.line([
            ("kind", .string(kind)), ("pick", .string(pick)), ("strategy", .string(strategy)), ("seed", .int(seed)),
            ("test_accuracy", .fixed(r.testAccuracy, digits: 4)), ("test_loss", .fixed(r.report.test?.loss ?? .nan, digits: 4)),
            ("epochs", .int(r.report.epochs)), ("best_epoch", .int(r.report.bestEpoch ?? -1)),
            ("best_phase", .int(r.bestPhase ?? -1)), ("best_val_loss", .fixed(r.report.bestValue ?? .nan, digits: 4)),
            ("stop_reason", .string(r.report.stopReason?.rawValue ?? "none")), ("wall_s", .fixed(r.seconds, digits: 2)),
            ("head_is_new", .bool(r.headIsNew)), ("train_images", .int(r.trainImages)),
            ("validation_images", .int(r.validationImages)), ("test_images", .int(r.testImages)),
            ("threads", .int(threads)),
        ])
    }
}

/// JSON lines to stdout and, when asked, to a file (flushed per line so a long run can be followed).
struct JSONLines {
    let handle: FileHandle?

    init(path: String?) {
        if let path {
            FileManager.default.createFile(atPath: path, contents: nil)
            handle = FileHandle(forWritingAtPath: path)
        } else {
            handle = nil
        }
    }

    mutating func write(_ line: String) {
        print(line)
        fflush(nil)
        handle?.write(Foundation.Data((line + "\n").utf8))
    }
}
