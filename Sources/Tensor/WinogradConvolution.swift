import CConvKernels

/// 3x3, padding-1, stride-1 convolutions by Winograd F(2x2, 3x3) (`CConvKernels/winograd.h`):
/// 2.25x fewer multiply-adds than the direct kernel or im2col + sgemm, for the forward pass and
/// the input gradient (the same convolution of dY with transposed, rotated weights). The direct
/// kernels and sgemm were already at 85-110% of the sgemm ceiling on resnet18's 3x3 layers, so
/// fewer multiply-adds is what is left to gain there (docs/benchmarks.md). Tiles are split between
/// workers; each output element has one writer and a fixed summation order.
public enum WinogradConvolution {
    /// Off (tests and benchmarks comparing with the direct kernels and im2col, `thaw-bench engine
    /// --winograd off`): every convolution takes the path it took before this kernel existed.
    @TaskLocal public static var enabled = true

    /// Whether the forward pass of `g` runs here.
    public static func applies(to g: Conv2dGeometry) -> Bool {
        isStride1Pad1(g) && applies(channels: g.inChannels, outputs: g.outChannels, h: g.inH, w: g.inW)
    }

    /// Whether the input gradient of `g` runs here (a convolution of dY's `outChannels` planes
    /// producing `inChannels`).
    public static func appliesToInputGradient(_ g: Conv2dGeometry) -> Bool {
        isStride1Pad1(g) && applies(channels: g.outChannels, outputs: g.inChannels, h: g.outH, w: g.outW)
    }

    /// The kernel level the current lowering allows, 0 when this path is off.
    static var level: Int { enabled ? DirectConvolution.allowed : 0 }

    /// Layers with enough channels that the transforms, which cost per input and output element
    /// what a few channels' multiply-adds do, stay small beside the products, on planes of at least
    /// 14x14 (an odd side's last tile computes one output of two). Measured with `thaw-bench engine
    /// --mode conv` (docs/benchmarks.md): on smaller planes each chunk of tiles re-reads all of the
    /// transformed weights (4 MiB at 256 x 256 channels) for a few dozen tiles. The AVX-512 kernels
    /// still won there up to 256 channels (resnet18's layer3 at 112, 7x7: forward 1.1-1.4x, input
    /// gradient 1.3-1.9x the direct kernel); with 512 channels (layer4 at 224, 7x7) they were no
    /// faster than im2col + sgemm, and the AVX2 kernels lost on every plane under 14x14.
    static func applies(channels: Int, outputs: Int, h: Int, w: Int) -> Bool {
        let level = level
        guard level > 0, outputs % Int(thaw_winograd_rows(Int32(level))) == 0 else { return false }
        guard channels >= minChannels && outputs >= minChannels else { return false }
        return h * w >= minPlane
            || (level == 2 && h * w >= minPlaneAVX512 && max(channels, outputs) <= maxSmallPlaneChannels)
    }
    static let minChannels = 32, minPlane = 14 * 14, minPlaneAVX512 = 7 * 7, maxSmallPlaneChannels = 256

    private static func isStride1Pad1(_ g: Conv2dGeometry) -> Bool { DirectConvolution.is3x3Pad1(g) && g.strideH == 1 }

    /// y = conv(x, weight), then the epilogue if any. `y` is fully overwritten.
    public static func forward(
        x: UnsafePointer<Float>, batch: Int, weight: UnsafePointer<Float>, geometry g: Conv2dGeometry,
        y: UnsafeMutablePointer<Float>, epilogue: ConvolutionEpilogue? = nil, workspace: Workspace
    ) {
        let epilogue = epilogue ?? ConvolutionEpilogue()
        epilogue.requireResidual(matching: g, batch: batch)
        epilogue.withPointers { scale, shift, residual in
            run(input: x, channels: g.inChannels, h: g.inH, w: g.inW, batch: batch, weight: weight,
                outputs: g.outChannels, transposeFlip: false, output: y,
                finish: (scale, shift, residual, epilogue.relu), workspace: workspace)
        }
    }

    /// dInput = conv(dOutput, rot180(weightᵀ)), fully overwritten.
    public static func inputGradient(
        dOutput: UnsafePointer<Float>, batch: Int, weight: UnsafePointer<Float>, geometry g: Conv2dGeometry,
        dInput: UnsafeMutablePointer<Float>, workspace: Workspace
    ) {
        run(input: dOutput, channels: g.outChannels, h: g.outH, w: g.outW, batch: batch, weight: weight,
            outputs: g.inChannels, transposeFlip: true, output: dInput, workspace: workspace)
    }

    private static func run(
        input: UnsafePointer<Float>, channels c: Int, h: Int, w: Int, batch: Int, weight: UnsafePointer<Float>,
        outputs o: Int, transposeFlip: Bool, output: UnsafeMutablePointer<Float>,
        finish: (scale: UnsafePointer<Float>?, shift: UnsafePointer<Float>?, residual: UnsafePointer<Float>?, relu: Bool)
            = (nil, nil, nil, false),
        workspace: Workspace
    ) {
        let isa = Int32(level)
        let chunk = thaw_winograd_chunk_tiles(Int32(c), isa)
        let tiles = batch * ((h + 1) / 2) * ((w + 1) / 2)
        let block = Int(thaw_winograd_tile_block(isa))
        // Workers get whole register tiles of the batch's tiles, so a worker's last chunk is the
        // only one with unused columns.
        let blocks = (tiles + block - 1) / block
        let workers = Parallel.workers(for: blocks)
        let scratchFloats = thaw_winograd_scratch_floats(Int32(c), Int32(w), chunk, isa)
        // Slot 0: the transformed weights; then one scratch per worker.
        let slots = workspace.floats(max(scratchFloats, 16 * o * c), slots: workers + 1)
        let (inP, outP, packed) = (UnsafeSendableBox(input), UnsafeSendableBox(output), UnsafeSendableBox(slots[0]))
        let weightP = UnsafeSendableBox(weight)
        // The weights change every training step, so they are transformed on every call; split over
        // the workers by register tiles of output channels (a 256 x 256 layer's took 3 ms on one core).
        Parallel.forEachWorker(o / Int(thaw_winograd_rows(isa))) { _, range in
            thaw_winograd_pack(weightP.value, Int32(transposeFlip ? c : o), Int32(transposeFlip ? o : c), transposeFlip ? 1 : 0,
                               isa, Int32(range.lowerBound), Int32(range.count), packed.value)
        }
        let scratch = slots.dropFirst().map(UnsafeSendableBox.init)
        let fin = UnsafeSendableBox(finish)
        let plane = batch * h * w
        Parallel.forEachWorker(blocks) { wk, range in
            let (scale, shift, residual, relu) = fin.value
            let first = range.lowerBound * block, last = min(tiles, range.upperBound * block)
            thaw_winograd_tiles(inP.value, plane, Int32(c), Int32(h), Int32(w), first, last - first, packed.value,
                                Int32(o), outP.value, plane, scale, shift, residual, relu ? 1 : 0, isa, chunk,
                                scratch[wk].value)
        }
    }
}
