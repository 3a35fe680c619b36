import BLAS
import CConvKernels

/// The direct 3x3 convolution (padding 1, stride 1 or 2) that replaces im2col + sgemm where the
/// CPU has AVX2 and FMA (AVX-512 kernels where it has those too): it reads each input plane once
/// instead of writing and re-packing a 9x column matrix, which on thin layers cost as much as the
/// multiply-adds (see docs/benchmarks.md).
/// Images are split between workers; each output element has one writer and a summation order that
/// does not depend on the split.
public enum DirectConvolution {
    /// Which lowering convolutions use.
    public enum Lowering: Sendable {
        /// The direct kernel where it applies and the CPU supports it, else im2col + sgemm.
        case automatic
        /// As `automatic`, but never the AVX-512 kernels (so tests cover the AVX2 ones everywhere).
        case avx2
        /// Always im2col + sgemm (the reference the direct kernel is tested and benchmarked against).
        case im2col
    }

    /// Set per task (`DirectConvolution.$lowering.withValue(.im2col) { ... }`) by tests and benchmarks.
    @TaskLocal public static var lowering: Lowering = .automatic

    /// The best kernel level this CPU runs: 2 = AVX-512, 1 = AVX2 + FMA, 0 = none.
    public static let cpuLevel = Int(thaw_conv3x3_isa())

    /// Whether this CPU runs the kernel at all (AVX2 and FMA).
    public static var cpuSupported: Bool { cpuLevel > 0 }

    /// The kernel level for a convolution with `outputs` output channels under the current lowering
    /// (each level tiles a fixed number of output channels); 0 = use im2col.
    static func level(outputs: Int) -> Int {
        for l in stride(from: Self.allowed, to: 0, by: -1) where outputs % Int(thaw_conv3x3_rows(Int32(l))) == 0 { return l }
        return 0
    }

    /// The highest kernel level the current lowering allows on this CPU.
    static var allowed: Int {
        switch lowering {
        case .automatic: cpuLevel
        case .avx2: min(cpuLevel, 1)
        case .im2col: 0
        }
    }

    /// Whether the weight gradient of `g` runs the direct kernel (stride 1 or 2).
    public static func appliesToWeightGradient(_ g: Conv2dGeometry) -> Bool {
        is3x3Pad1(g) && allowed > 0
            && !prefersGemm(.weightGradient, channels: g.inChannels, plane: g.outPlane, level: allowed)
    }

    /// Whether the forward pass of `g` runs the direct kernel.
    public static func applies(to g: Conv2dGeometry) -> Bool {
        let level = level(outputs: g.outChannels)
        return is3x3Pad1(g) && level > 0 && !prefersGemm(.forward, channels: g.inChannels, plane: g.outPlane, level: level)
    }

    /// The three passes of a convolution, which the kernels win or lose at different shapes.
    public enum Pass: Sendable { case forward, inputGradient, weightGradient }

    /// Whether a 3x3 pass reading `channels` planes (the input's for the forward pass and the weight
    /// gradient, dY's for the input gradient) of a layer with `plane` output positions per image runs
    /// as im2col + sgemm even where the direct kernel at `level` could. Measured per layer with
    /// `thaw-bench engine --mode conv --gradients` (docs/benchmarks.md):
    /// - On every level, small planes with many channels (resnet18's layer4, 256-512 channels of 7x7).
    ///   There `ColumnBlocking` gives sgemm blocks of >= 512 columns (11 images), each operand packed
    ///   once per block, while the direct kernel's tiles of 16-32 positions re-read their inputs
    ///   (channels x 3 planes) and weights from L2 for every 4-8 output channels: im2col ran the
    ///   forward pass and both gradients of resnet18's layer4 1.2-3x faster on both kernel sets.
    /// - On the AVX2 kernel (level 1), every ImageNet-sized layer: on a 2-core AMD EPYC without
    ///   AVX-512, im2col ran resnet18's 3x3 layers of 64-256 channels on 56x56 to 14x14 planes
    ///   1.2-1.35x faster forward, 1.3-1.6x on the weight gradient, 1.0-1.25x on the input gradient,
    ///   while the direct kernel stayed 1.05-2.3x ahead on the 28x28 nets' layers (1-64 channels; 64
    ///   channels only on planes of 14x14 and less). Its weight gradient loses from 32 input channels
    ///   on (a tie at 32 channels of 28x28).
    public static func prefersGemm(_ pass: Pass, channels: Int, plane: Int, level: Int) -> Bool {
        if plane <= maxGemmPlane && channels >= minGemmChannels { return true }
        guard level == 1 else { return false }
        switch pass {
        case .forward, .inputGradient: return channels >= 128 || (channels >= 64 && plane >= 28 * 28)
        case .weightGradient: return channels >= 32
        }
    }
    static let maxGemmPlane = 49, minGemmChannels = 256

    /// Whether the input gradient of `g` runs the direct kernels: a stride-1 3x3 convolution's input
    /// gradient is the same convolution with channels swapped and taps rotated 180 degrees; a
    /// stride-2 one is four small convolutions of dY, one per output phase (AVX-512 only).
    public static func appliesToInputGradient(_ g: Conv2dGeometry) -> Bool {
        guard is3x3Pad1(g) else { return false }
        // dX = a convolution of dY (channels O) producing the input's channels.
        let level = g.strideH == 1 ? level(outputs: g.inChannels) : allowed == 2 && g.inChannels % 8 == 0 ? 2 : 0
        return level > 0 && !prefersGemm(.inputGradient, channels: g.outChannels, plane: g.outPlane, level: level)
    }

    /// 3x3, padding 1, the same stride (1 or 2) both ways: the shapes the 3x3 kernels (direct and
    /// Winograd) take.
    static func is3x3Pad1(_ g: Conv2dGeometry) -> Bool {
        g.kernelH == 3 && g.kernelW == 3 && g.padH == 1 && g.padW == 1 && g.strideH == g.strideW
            && (g.strideH == 1 || g.strideH == 2)
    }

    /// y = conv(x, weight) for a geometry where `applies(to:)` holds. `y` is fully overwritten.
    /// With an `epilogue`, each image's output gets it as soon as the kernel has written it.
    public static func forward(
        x: UnsafePointer<Float>, batch: Int, weight: UnsafePointer<Float>, geometry g: Conv2dGeometry,
        y: UnsafeMutablePointer<Float>, epilogue: ConvolutionEpilogue? = nil, workspace: Workspace
    ) {
        let epilogue = epilogue ?? ConvolutionEpilogue()  // no parts: the kernel skips it
        epilogue.requireResidual(matching: g, batch: batch)
        epilogue.withPointers { scale, shift, residual in
            run(input: x, inChannels: g.inChannels, inH: g.inH, inW: g.inW, stride: g.strideH, batch: batch,
                weight: weight, outChannels: g.outChannels, transposeFlip: false,
                output: y, outPlane: g.outPlane, finish: (scale, shift, residual, epilogue.relu), workspace: workspace)
        }
    }

    /// dInput of a geometry where `appliesToInputGradient` holds (stride 1: conv(dOutput, rot180(weightᵀ));
    /// stride 2: per output phase). `dInput` is fully overwritten.
    public static func inputGradient(
        dOutput: UnsafePointer<Float>, batch: Int, weight: UnsafePointer<Float>, geometry g: Conv2dGeometry,
        dInput: UnsafeMutablePointer<Float>, workspace: Workspace
    ) {
        if g.strideH == 2 {
            stride2InputGradient(dOutput: dOutput, batch: batch, weight: weight, geometry: g, dInput: dInput, workspace: workspace)
            return
        }
        run(input: dOutput, inChannels: g.outChannels, inH: g.outH, inW: g.outW, stride: 1, batch: batch,
            weight: weight, outChannels: g.inChannels, transposeFlip: true,
            output: dInput, outPlane: g.inPlane, workspace: workspace)
    }

    /// dWeight = Σ over images of x ⋆ dOutput for a geometry where `appliesToWeightGradient` holds.
    /// Images are split between workers; each sums its images into its own partial (worker 0 into
    /// `dWeight`), then partials are added in worker order: deterministic for a given thread count.
    public static func weightGradient(
        x: UnsafePointer<Float>, dOutput: UnsafePointer<Float>, batch: Int, geometry g: Conv2dGeometry,
        dWeight: UnsafeMutablePointer<Float>, workspace: Workspace
    ) {
        let isa = Int32(allowed)
        let (c, o) = (g.inChannels, g.outChannels)
        let scratchFloats = thaw_conv3x3_weight_gradient_scratch_floats(Int32(c), Int32(g.inH), Int32(g.inW), Int32(g.strideH))
        let partialFloats = o * c * 9
        let workers = Parallel.workers(for: batch)
        let slots = workspace.floats(scratchFloats + partialFloats, slots: workers).map(UnsafeSendableBox.init)
        let (xP, dyP, dwP) = (UnsafeSendableBox(x), UnsafeSendableBox(dOutput), UnsafeSendableBox(dWeight))
        let (inPlane, outPlane) = (g.inPlane, g.outPlane)
        Parallel.forEachWorker(batch) { w, images in
            let target = w == 0 ? dwP.value : slots[w].value + scratchFloats
            thaw_conv3x3_weight_gradient(xP.value + images.lowerBound * inPlane, batch * inPlane, inPlane, Int32(c),
                                         Int32(g.inH), Int32(g.inW), Int32(g.strideH),
                                         dyP.value + images.lowerBound * outPlane, batch * outPlane, outPlane,
                                         Int32(o), Int32(images.count), isa, target, slots[w].value)
        }
        for w in 1..<max(1, workers) {
            BLAS.saxpy(n: partialFloats, alpha: 1, x: slots[w].value + scratchFloats, y: dWeight)
        }
    }

    private static func stride2InputGradient(
        dOutput: UnsafePointer<Float>, batch: Int, weight: UnsafePointer<Float>, geometry g: Conv2dGeometry,
        dInput: UnsafeMutablePointer<Float>, workspace: Workspace
    ) {
        let (c, o) = (g.inChannels, g.outChannels)
        let scratchFloats = thaw_conv3x3_s2_input_gradient_scratch_floats(Int32(o), Int32(c), Int32(g.inH), Int32(g.inW))
        let maskFloats = thaw_conv3x3_masks_floats(Int32(g.outH), Int32(g.outW), 1)
        let workers = Parallel.workers(for: batch)
        // Slot 0: the packed weights; slot 1: the column masks of dY's plane; then one scratch per worker.
        let slots = workspace.floats(max(scratchFloats, o * c * 9, maskFloats), slots: workers + 2)
        thaw_conv3x3_s2_pack(weight, Int32(o), Int32(c), slots[0])
        thaw_conv3x3_masks(Int32(g.outH), Int32(g.outW), 1, slots[1])
        let (dyP, dxP) = (UnsafeSendableBox(dOutput), UnsafeSendableBox(dInput))
        let (packed, masks) = (UnsafeSendableBox(slots[0]), UnsafeSendableBox(slots[1]))
        let scratch = slots.dropFirst(2).map(UnsafeSendableBox.init)
        let (inPlane, outPlane) = (g.inPlane, g.outPlane)
        Parallel.forEachWorker(batch) { w, images in
            for n in images {
                thaw_conv3x3_s2_input_gradient_image(dyP.value + n * outPlane, batch * outPlane, Int32(o), Int32(g.inH),
                                                     Int32(g.inW), packed.value, Int32(c), dxP.value + n * inPlane,
                                                     batch * inPlane, masks.value, scratch[w].value)
            }
        }
    }

    private static func run(
        input: UnsafePointer<Float>, inChannels c: Int, inH: Int, inW: Int, stride: Int, batch: Int,
        weight: UnsafePointer<Float>, outChannels o: Int, transposeFlip: Bool,
        output: UnsafeMutablePointer<Float>, outPlane: Int,
        finish: (scale: UnsafePointer<Float>?, shift: UnsafePointer<Float>?, residual: UnsafePointer<Float>?, relu: Bool)
            = (nil, nil, nil, false),
        workspace: Workspace
    ) {
        let isa = Int32(level(outputs: o))
        let scratchFloats = thaw_conv3x3_scratch_floats(Int32(c), Int32(inH), Int32(inW), Int32(stride))
        let maskFloats = thaw_conv3x3_masks_floats(Int32(inH), Int32(inW), Int32(stride))
        let workers = Parallel.workers(for: batch)
        // Slot 0: the packed weights; slot 1: the column masks (the same for every image); then one
        // scratch per worker.
        let slots = workspace.floats(max(scratchFloats, o * c * 9, maskFloats), slots: workers + 2)
        thaw_conv3x3_pack(weight, Int32(transposeFlip ? c : o), Int32(transposeFlip ? o : c),
                          transposeFlip ? 1 : 0, thaw_conv3x3_rows(isa), slots[0])
        thaw_conv3x3_masks(Int32(inH), Int32(inW), Int32(stride), slots[1])
        let (inP, outP) = (UnsafeSendableBox(input), UnsafeSendableBox(output))
        let (packed, masks) = (UnsafeSendableBox(slots[0]), UnsafeSendableBox(slots[1]))
        let scratch = slots.dropFirst(2).map(UnsafeSendableBox.init)
        let inPlane = inH * inW
        let fin = UnsafeSendableBox(finish)
        Parallel.forEachWorker(batch) { w, images in
            let (scale, shift, residual, relu) = fin.value
            for n in images {
                thaw_conv3x3_image(inP.value + n * inPlane, batch * inPlane, Int32(c), Int32(inH), Int32(inW),
                                   Int32(stride), packed.value, Int32(o), outP.value + n * outPlane,
                                   batch * outPlane, scale, shift, residual.map { $0 + n * outPlane },
                                   batch * outPlane, relu ? 1 : 0, isa, masks.value, scratch[w].value)
            }
        }
    }
}
