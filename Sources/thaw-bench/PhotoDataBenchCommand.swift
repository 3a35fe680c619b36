import ArgumentParser
import Data
import Foundation
import NN
import Tensor

/// `thaw-bench photo-data`: the photo pipeline at ResNet sizes. Batch assembly on one thread
/// (evaluation center crop; training random-resized-crop + flip, with and without colour jitter,
/// its boxes cut from the whole photos' frames as in a photo job),
/// then the background loader feeding real resnet18 training steps in the same run: how long the
/// training loop waited for each batch.
struct PhotoDataBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "photo-data", abstract: "Photo batch assembly (RRC, flip, jitter) and the loader's wait beside resnet18 steps.")

    @Option(help: "Threads for the engine step.") var threads: Int = 2
    @Option(help: "Batch size.") var batch: Int = 32
    @Option(help: "Image side (3xSxS).") var size: Int = 224
    @Option(help: "Training steps with the background loader.") var steps: Int = 5
    @Option(help: "Stored images.") var images: Int = 256

    func run() throws { try Engine(threads: threads).run(measure) }

    func measure() throws {
        let photos = DataBenchmarks.photos(count: images, size: size)
        let frames = DataBenchmarks.photoFrames(count: images, size: size)
        let jitter = ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4)
        var photoJitter = Augmentation.photo
        photoJitter.colorJitter = jitter
        let variants: [(String, Augmentation?)] = [("none", nil), ("rrc+flip", .photo), ("rrc+flip+jitter", photoJitter)]
        for (name, augmentation) in variants {
            let r = try DataBenchmarks.batchAssembly(images: photos, frames: frames, batchSize: batch, batches: 12,
                                                     augmentation: augmentation, simulatedStepSeconds: 0)
            print(BenchJSON.line([
                ("kind", .string("photo_assembly")), ("augmented", .string(name)), ("shape", .string("3x\(size)x\(size)")),
                ("batch", .int(batch)), ("assembly_ms", .double(r.medianSecondsPerBatch * 1000)),
                ("img_s_one_thread", .double(r.imagesPerSecond)),
            ]))
        }
        let model = try Model(architecture: "resnet18", classes: 10, seed: 1)
        let sgd = SGD(model: model, learningRate: 0.01, momentum: 0.9, weightDecay: 5e-4)
        let normalization = Normalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
        let loader = try BatchLoader(images: photos, frames: frames, normalization: normalization,
                                     configuration: .init(batchSize: batch, seed: 1, dropLast: true, augmentation: photoJitter))
        var stepTimes: [Double] = []
        var waitAfterFirst = 0.0
        for k in 0..<(steps + 1) {
            guard let b = loader.next() else { break }
            if k == 0 { waitAfterFirst = loader.consumerWaitSeconds }
            let t0 = DispatchTime.now().uptimeNanoseconds
            let x = Tensor(shape: [b.count, b.channels, b.height, b.width], storage: b.images)
            let logits = try model.forward(x, training: true)
            let (_, dLogits) = try SoftmaxCrossEntropy.compute(logits: logits, labels: b.labels.map(Int.init))
            try model.backward(dLogits)
            sgd.step()
            stepTimes.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        loader.cancel()
        let measured = max(stepTimes.count - 1, 1)
        let wait = (loader.consumerWaitSeconds - waitAfterFirst) / Double(measured)
        let step = stepTimes.sorted()[stepTimes.count / 2]
        print(BenchJSON.line([
            ("kind", .string("photo_loader_wait")), ("model", .string("resnet18")), ("shape", .string("3x\(size)x\(size)")),
            ("batch", .int(batch)), ("augmented", .string("rrc+flip+jitter")), ("steps", .int(measured)),
            ("step_ms", .double(step * 1000)), ("loader_wait_ms_per_batch", .double(wait * 1000)),
            ("first_batch_wait_ms", .double(waitAfterFirst * 1000)),
        ]))
    }
}
