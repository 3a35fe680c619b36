import ArgumentParser
import Foundation
import NN
import Tensor

/// `thaw-bench engine`: training / frozen / inference throughput of the CPU engine on real
/// Fashion-MNIST batches, timed like deploy/bench/torch_peer.py (warm-up, then windows of
/// steps; median images/s), plus the convolution-vs-sgemm efficiency figures (`--mode conv`).
struct EngineBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Engine throughput: swift run -c release thaw-bench engine --arch small-cnn --mode all --threads 2 --batch 64")

    @Option(help: "small-cnn | resnet-mini (Fashion-MNIST) | resnet18 | resnet34 | resnet50 (RGB, --size)") var arch = "small-cnn"
    @Option(help: "input side for the RGB backbones (seeded N(0,1) images, 10 classes, as torch_peer.py --size)")
    var size = 224
    @Option(help: "train | frozen | infer | all | conv (every distinct convolution's GFLOP/s vs sgemm)") var mode = "all"
    @Option var threads = 2
    @Option var batch = 64
    @Option var warmup = 20
    @Option var windows = 7
    @Option(help: "steps per timed window") var steps = 25
    @Option var seed: UInt64 = 0
    @Option(help: "directory of the Fashion-MNIST IDX .gz files") var data = IDXImages.defaultDirectory
    @Flag(help: "leave glibc malloc at its defaults") var noAllocatorTuning = false
    @Option(help: "convolution lowering: automatic (direct 3x3 kernel where it applies) | avx2 (never AVX-512) | im2col")
    var lowering = "automatic"
    @Option(help: "on: 3x3 stride-1 layers of even planes run as Winograd F(2x2,3x3) where the engine picks it | off: never (the direct kernels and im2col alone)")
    var winograd = "on"
    @Flag(help: "conv mode: also time each layer's weight gradient and input gradient") var gradients = false
    @Option(help: "conv mode: only layers whose name contains one of these (comma-separated)") var layers = ""

    func run() throws {
        if !noAllocatorTuning { Allocator.keepLargeBlocks() }
        let lowerings: [String: DirectConvolution.Lowering] = ["automatic": .automatic, "avx2": .avx2, "im2col": .im2col]
        guard let chosen = lowerings[lowering] else { throw ValidationError("unknown lowering '\(lowering)'") }
        guard ["on", "off"].contains(winograd) else { throw ValidationError("--winograd is on or off, not '\(winograd)'") }
        try Engine(threads: threads).run {
            try WinogradConvolution.$enabled.withValue(winograd == "on") {
                try DirectConvolution.$lowering.withValue(chosen) { try measure() }
            }
        }
    }

    /// The RGB backbones run on synthetic images: throughput does not depend on pixel values.
    var isBackbone: Bool { arch.hasPrefix("resnet") && arch != "resnet-mini" }

    func makeModel() throws -> Model {
        var spec = try BuiltinArchitectures.spec(named: arch, classes: 10)
        if isBackbone { spec.inputShape = [3, size, size] }
        return try Model(spec: spec, seed: seed)
    }

    func measure() throws {
        if mode == "conv" {
            // Conv mode measures every lowering this CPU has unless --lowering names one.
            var bench = ConvEfficiencyBench(model: try makeModel(), arch: arch, threads: threads, batch: batch)
            bench.only = lowering == "automatic" ? nil : DirectConvolution.lowering
            bench.layerFilter = layers.split(separator: ",").map(String.init)
            bench.gradients = gradients
            try bench.run()
            return
        }
        let modes = mode == "all" ? ["train", "frozen", "infer"] : [mode]
        guard modes.allSatisfy({ ["train", "frozen", "infer"].contains($0) }) else {
            throw ValidationError("unknown mode '\(mode)'")
        }
        if isBackbone {
            for m in modes { print(try backboneThroughput(mode: m)); fflush(nil) }
            return
        }
        let set = try IDXImages.load(directory: data)
        // One seeded shuffle, then consecutive batches (as torch_peer.py).
        var g = SeededGenerator(seed: seed)
        let order = Array(0..<set.count).shuffled(using: &g)
        let plane = 28 * 28
        var images = [UInt8](repeating: 0, count: set.images.count)
        var labels = [Int](repeating: 0, count: set.count)
        for (dst, src) in order.enumerated() {
            images.replaceSubrange((dst * plane)..<((dst + 1) * plane), with: set.images[(src * plane)..<((src + 1) * plane)])
            labels[dst] = set.labels[src]
        }
        for m in modes {
            let line = try throughput(mode: m, images: images, labels: labels, count: set.count)
            print(line)
            fflush(nil)
        }
    }

    /// Four seeded batches of 3 x size x size N(0,1) images, used in turn.
    func backboneThroughput(mode: String) throws -> String {
        let model = try makeModel()
        if mode == "frozen" { try model.freeze(below: "head") }
        let sgd = SGD(model: model, learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4)
        var g = SeededGenerator(seed: seed)
        let per = 3 * size * size
        let batches = (0..<4).map { _ in
            Tensor(shape: [batch, 3, size, size], storage: (0..<(batch * per)).map { _ in g.uniform(-1.7, 1.7) })
        }
        let labels = (0..<4).map { b in (0..<batch).map { (b * batch + $0) % 10 } }
        var k = 0
        return try timed(mode: mode) {
            let b = k % 4
            k += 1
            if mode == "infer" {
                _ = try model.forward(batches[b], training: false)
                return
            }
            let logits = try model.forward(batches[b], training: true)
            let (_, dLogits) = try SoftmaxCrossEntropy.compute(logits: logits, labels: labels[b])
            try model.backward(dLogits)
            sgd.step()
        }
    }

    func throughput(mode: String, images: [UInt8], labels: [Int], count: Int) throws -> String {
        let model = try makeModel()
        if mode == "frozen" { try model.freeze(below: "head") }
        let sgd = SGD(model: model, learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4)
        let batches = count / batch
        var k = 0
        func step() throws {
            let b = k % batches
            k += 1
            let x = Tensor(shape: [batch, 1, 28, 28],
                           storage: images[(b * batch * 784)..<((b + 1) * batch * 784)].map { (Float($0) / 255 - 0.2860) / 0.3530 })
            let y = Array(labels[(b * batch)..<((b + 1) * batch)])
            if mode == "infer" {
                _ = try model.forward(x, training: false)
                return
            }
            let logits = try model.forward(x, training: true)
            let (_, dLogits) = try SoftmaxCrossEntropy.compute(logits: logits, labels: y)
            try model.backward(dLogits)
            sgd.step()
        }
        return try timed(mode: mode, step)
    }

    /// Warm-up, then `windows` windows of `steps` steps; the median window's images/s.
    func timed(mode: String, _ step: () throws -> Void) throws -> String {
        for _ in 0..<warmup { try step() }
        var rates: [Double] = []
        for _ in 0..<windows {
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<steps { try step() }
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            rates.append(Double(steps * batch) / dt)
        }
        rates.sort()
        let med = rates[rates.count / 2]
        return BenchJSON.line([
            ("kind", .string("throughput")), ("engine", .string("thaw")), ("arch", .string(arch)), ("mode", .string(mode)), ("lowering", .string(lowering)),
            ("size", .int(isBackbone ? size : 28)),
            ("threads", .int(threads)), ("batch", .int(batch)), ("img_s", .double(med)),
            ("img_s_min", .double(rates.first!)), ("img_s_max", .double(rates.last!)),
            ("step_ms_median", .double(1000 * Double(batch) / med)), ("windows", .int(windows)),
            ("steps_per_window", .int(steps)), ("warmup", .int(warmup)), ("peak_rss_mib", .double(BenchJSON.peakRSSMiB())),
        ])
    }
}
