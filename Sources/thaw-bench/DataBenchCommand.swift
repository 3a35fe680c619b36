import ArgumentParser
import Data
import Foundation
import NN
import Tensor

/// `thaw-bench data`: batch assembly against a resnet-mini training step measured in the same run
/// (the target: assembly < 5% of a step), and decoding a 1,000-image PNG folder into the cache.
struct DataBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Batch assembly vs a resnet-mini step; PNG folder decode rate.")

    @Option(help: "Threads for the engine step.") var threads: Int = 2
    @Option(help: "Batch size.") var batch: Int = 64
    @Option(help: "Training steps timed for the step median.") var steps: Int = 20

    func run() throws { try Engine(threads: threads).run(measure) }

    func measure() throws {
        let train = try FashionMNIST.load(split: .train)
        for augmentation in [nil, Augmentation.standard] {
            let result = try DataBenchmarks.batchAssembly(images: train, batchSize: batch, batches: 500,
                                                          augmentation: augmentation, simulatedStepSeconds: 0.05)
            let step = try resnetMiniStepSeconds(train)
            print(BenchJSON.line([
                ("kind", .string("batch_assembly")), ("augmented", .string(augmentation == nil ? "no" : "pad2+flip")),
                ("batch", .int(batch)), ("assembly_us", .double(result.medianSecondsPerBatch * 1e6)),
                ("resnet_mini_step_ms", .double(step * 1000)),
                ("assembly_pct_of_step", .double(100 * result.medianSecondsPerBatch / step)),
                ("loader_wait_us_per_batch", .double(result.loaderWaitSecondsPerBatch * 1e6)),
            ]))
        }
        for (size, channels, out) in [(28, 1, 28), (128, 3, 32)] {
            let r = try DataBenchmarks.folderDecode(imageCount: 1000, sourceSize: size, sourceChannels: channels,
                                                    channels: channels, outputSize: out)
            print(BenchJSON.line([
                ("kind", .string("folder_decode")), ("images", .int(r.images)), ("source", .string(r.sourceSize)),
                ("output", .string(r.outputSize)), ("decode_s", .double(r.decodeSeconds)),
                ("decode_img_s", .double(r.decodeImagesPerSecond)), ("cached_load_ms", .double(r.cachedLoadSeconds * 1000)),
            ]))
        }
    }

    /// Median seconds of one full resnet-mini SGD step on real images.
    func resnetMiniStepSeconds(_ images: LabeledImages) throws -> Double {
        let model = try Model(architecture: "resnet-mini", seed: 1)
        let sgd = SGD(model: model, learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4)
        let plane = images.channels * images.height * images.width
        var times: [Double] = []
        for k in 0..<(steps + 3) {
            let start = (k * batch) % (images.count - batch)
            let x = Tensor(shape: [batch, 1, 28, 28], storage: images.pixels[(start * plane)..<((start + batch) * plane)]
                .map { (Float($0) / 255 - 0.2860) / 0.3530 })
            let y = Array(images.labels[start..<(start + batch)])
            let t0 = DispatchTime.now().uptimeNanoseconds
            let logits = try model.forward(x, training: true)
            let (_, dLogits) = try SoftmaxCrossEntropy.compute(logits: logits, labels: y)
            try model.backward(dLogits)
            sgd.step()
            if k >= 3 { times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9) }
        }
        times.sort()
        return times[times.count / 2]
    }
}
