import BLAS
import Foundation
import NN
import Tensor

/// Forward convolution of every distinct convolution of a model (3x3, the 1x1s and the 7x7 stem)
/// through the engine's kernels, once per lowering this CPU has (the direct kernel at its best level,
/// the AVX2 direct kernel, im2col + sgemm; only 3x3 layers have a direct kernel), against the plain
/// sgemm ceiling measured in the same process with the same OpenBLAS; optionally (`--gradients`) the
/// weight and input gradients too, each alone (FLOPs counted as the forward pass's).
struct ConvEfficiencyBench {
    let model: Model, arch: String, threads: Int, batch: Int

    static func median(_ body: () -> Void, flops: Double) -> Double {
        for _ in 0..<3 { body() }
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        let once = max(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, 1e-6)
        let iters = max(1, Int(0.3 / once))
        var r: [Double] = []
        for _ in 0..<7 {
            let s = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<iters { body() }
            r.append(flops * Double(iters) / (Double(DispatchTime.now().uptimeNanoseconds - s) / 1e9) / 1e9)
        }
        return r.sorted()[3]
    }

    /// The ceiling: one big sgemm with OpenBLAS's own `threads` threads (the engine otherwise keeps
    /// OpenBLAS single-threaded and splits work itself).
    func sgemm(m: Int, n: Int, k: Int) -> Double {
        BLAS.threads = threads
        defer { BLAS.threads = 1 }
        var g = SeededGenerator(seed: 1)
        let a = (0..<(m * k)).map { _ in g.uniform(-0.5, 0.5) }, b = (0..<(k * n)).map { _ in g.uniform(-0.5, 0.5) }
        var c = [Float](repeating: 0, count: m * n)
        return Self.median({ BLAS.sgemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c, ldc: n) },
                           flops: 2 * Double(m * n * k))
    }

    /// Lowerings to measure: every one this CPU has, or just `only`.
    var only: DirectConvolution.Lowering? = nil
    /// Measure only layers whose name contains one of these (all when empty).
    var layerFilter: [String] = []
    /// Also time the two gradients (dWeight alone, dInput alone) of every distinct layer.
    var gradients = false

    func run() throws {
        var ceiling = 0.0
        for s in [1024, 2048] {
            let gf = sgemm(m: s, n: s, k: s)
            ceiling = max(ceiling, gf)
            print(BenchJSON.line([("kind", .string("sgemm")), ("shape", .string("square\(s)")), ("threads", .int(threads)),
                                  ("gflops", .double(gf))]))
        }
        var lowerings: [(String, DirectConvolution.Lowering)] = [("im2col", .im2col)]
        if DirectConvolution.cpuLevel >= 1 { lowerings.insert(("direct-avx2", .avx2), at: 0) }
        if DirectConvolution.cpuLevel >= 2 { lowerings.insert(("direct-avx512", .automatic), at: 0) }
        if let only { lowerings = lowerings.filter { $0.1 == only } }
        for (name, lowering) in lowerings {
            try DirectConvolution.$lowering.withValue(lowering) { try run(lowering: name, ceiling: ceiling) }
        }
    }

    /// Every convolution of the model with its input shape (C, H, W), in order.
    func convolutions() throws -> [(Conv2dLayer, [Int])] {
        var convs: [(Conv2dLayer, [Int])] = []
        for (i, layer) in model.layers.enumerated() {
            let shape = model.shapes[i]
            if let c = layer as? Conv2dLayer { convs.append((c, shape)) }
            if let b = layer as? BasicBlockLayer {
                convs.append((b.conv1, shape))
                convs.append((b.conv2, try b.conv1.outputShape(for: shape)))
                if let d = b.downsample { convs.append((d.conv, shape)) }
            }
            if let b = layer as? BottleneckLayer {
                let a = try b.conv1.outputShape(for: shape), c = try b.conv2.outputShape(for: a)
                convs += [(b.conv1, shape), (b.conv2, a), (b.conv3, c)]
                if let d = b.downsample { convs.append((d.conv, shape)) }
            }
        }
        return convs
    }

    /// Each distinct geometry is timed once (the first layer that has it names it); the whole-net
    /// totals weight it by how many layers share it.
    func run(lowering: String, ceiling: Double) throws {
        var distinct: [(conv: Conv2dLayer, shape: [Int], geo: Conv2dGeometry, count: Int)] = []
        for (conv, shape) in try convolutions() {
            let geo = Conv2dGeometry(inChannels: conv.inChannels, outChannels: conv.outChannels, kernel: conv.kernel, stride: conv.stride,
                                     padding: conv.padding, inH: shape[1], inW: shape[2])
            if let i = distinct.firstIndex(where: { $0.geo == geo }) {
                distinct[i].count += 1
            } else {
                distinct.append((conv, shape, geo, 1))
            }
        }
        if !layerFilter.isEmpty {
            distinct = distinct.filter { d in layerFilter.contains { d.conv.name.contains($0) } }
        }
        let passes = gradients ? ["forward", "dweight", "dinput"] : ["forward"]
        var totals = [String: (flops: Double, seconds: Double)]()
        for (conv, shape, geo, count) in distinct {
            var g = SeededGenerator(seed: 2)
            let x = (0..<(conv.inChannels * batch * geo.inPlane)).map { _ in g.uniform(-1, 1) }
            let dy = (0..<(conv.outChannels * batch * geo.outPlane)).map { _ in g.uniform(-1, 1) }
            var y = [Float](repeating: 0, count: conv.outChannels * batch * geo.outPlane)
            var dx = [Float](repeating: 0, count: x.count)
            var dw = [Float](repeating: 0, count: conv.outChannels * geo.colRows)
            let ws = Workspace()
            let flops = Double(geo.flopsPerImage * batch)
            for pass in passes {
                let gf = Self.median({
                    conv.weight.value.withPointer { w in
                        switch pass {
                        case "forward":
                            ConvolutionKernels.forward(x: x, batch: batch, weight: w, bias: nil, geometry: geo, y: &y, workspace: ws)
                        case "dweight":
                            ConvolutionKernels.backward(x: x, dOutput: dy, batch: batch, weight: w, geometry: geo, dWeight: &dw,
                                                        dBias: nil, dInput: nil, workspace: ws)
                        default:
                            ConvolutionKernels.backward(x: x, dOutput: dy, batch: batch, weight: w, geometry: geo, dWeight: nil,
                                                        dBias: nil, dInput: &dx, workspace: ws)
                        }
                    }
                }, flops: flops)
                totals[pass, default: (0, 0)].flops += flops * Double(count)
                totals[pass, default: (0, 0)].seconds += flops * Double(count) / (gf * 1e9)
                let kind = pass == "forward" ? "conv_forward" : "conv_\(pass)"
                // A Winograd pass does 2.25x fewer multiply-adds than it is credited with here: its
                // GFLOP/s are the direct convolution's FLOPs over its time, comparable across rows.
                let winograd = pass == "forward" ? WinogradConvolution.applies(to: geo)
                    : pass == "dinput" && WinogradConvolution.appliesToInputGradient(geo)
                let path = winograd ? lowering.replacingOccurrences(of: "direct", with: "winograd") : lowering
                print(BenchJSON.line([("kind", .string(kind)), ("arch", .string(arch)), ("layer", .string(conv.name)), ("lowering", .string(path)),
                                      ("cin", .int(conv.inChannels)), ("cout", .int(conv.outChannels)), ("hw", .int(shape[1])),
                                      ("kernel", .int(conv.kernel)), ("layers", .int(count)),
                                      ("stride", .int(conv.stride)), ("batch", .int(batch)), ("threads", .int(threads)),
                                      ("gflops", .double(gf)), ("pct_of_sgemm", .double(100 * gf / ceiling))]))
                fflush(nil)
            }
        }
        for pass in passes {
            guard let t = totals[pass] else { continue }
            let agg = t.flops / t.seconds / 1e9
            let kind = pass == "forward" ? "conv_forward_total" : "conv_\(pass)_total"
            print(BenchJSON.line([("kind", .string(kind)), ("arch", .string(arch)), ("lowering", .string(lowering)), ("batch", .int(batch)),
                                  ("threads", .int(threads)), ("gflops", .double(agg)), ("sgemm_gflops", .double(ceiling)),
                                  ("pct_of_sgemm", .double(100 * agg / ceiling)), ("seconds", .double(t.seconds))]))
        }
    }
}
