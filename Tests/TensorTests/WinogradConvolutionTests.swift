import Tensor
import Testing

/// The Winograd F(2x2, 3x3) kernels (forward and input gradient) against the naive reference, on
/// both kernel levels this CPU has: tiles that cross image boundaries inside a chunk, a last
/// register tile with unused columns, odd planes, chunks shorter than a tile row, channel counts that differ
/// between input and output (the transposed weights of the input gradient), and the epilogue.
@Suite struct WinogradConvolutionTests {
    struct Case: CustomStringConvertible, Sendable {
        var n, c, o, h, w: Int
        var description: String { "n\(n) c\(c)→\(o) \(h)x\(w)" }
    }

    static let cases: [Case] = [
        Case(n: 3, c: 32, o: 32, h: 14, w: 14),   // 147 tiles: chunks span images, a partial register tile
        Case(n: 2, c: 64, o: 64, h: 56, w: 56),   // resnet18's layer1 at 224
        Case(n: 2, c: 64, o: 128, h: 28, w: 28),
        Case(n: 1, c: 128, o: 64, h: 16, w: 20),  // non-square plane
        Case(n: 2, c: 256, o: 256, h: 14, w: 14), // 32-tile chunks across tile rows and images
        Case(n: 1, c: 40, o: 32, h: 200, w: 2),   // one tile a row, chunks of many rows
        Case(n: 1, c: 32, o: 40, h: 2, w: 224),   // a tile row longer than a chunk
        Case(n: 2, c: 32, o: 32, h: 15, w: 15),   // odd sides: the last tile row and column hold one output
        Case(n: 3, c: 64, o: 32, h: 25, w: 13),   // a 200x200 photo's layer2 (25x25) shape, odd and even mixed
        Case(n: 1, c: 48, o: 64, h: 14, w: 17),
        Case(n: 3, c: 256, o: 128, h: 7, w: 7),   // resnet18's layer3 at 112: AVX-512 only
    ]

    static var lowerings: [DirectConvolution.Lowering] {
        DirectConvolution.cpuLevel >= 2 ? [.automatic, .avx2] : [.automatic]
    }

    @Test(arguments: cases, lowerings)
    func forwardAndInputGradientMatchReference(_ t: Case, lowering: DirectConvolution.Lowering) {
        let geo = Conv2dGeometry(inChannels: t.c, outChannels: t.o, kernel: 3, stride: 1, padding: 1, inH: t.h, inW: t.w)
        var g = SeededGenerator(seed: UInt64(t.c * 7 + t.h))
        let x = uniformTensor([t.n, t.c, t.h, t.w], &g), w = uniformTensor([t.o, t.c, 3, 3], &g)
        let dy = uniformTensor([t.n, t.o, t.h, t.w], &g)
        let (xc, dyc) = (Layout.toChannelMajor(x), Layout.toChannelMajor(dy))
        let ref = ReferenceKernels.convForward(x: x, weight: w, bias: nil, geometry: geo)
        let refBack = ReferenceKernels.convBackward(x: x, weight: w, dOutput: dy, geometry: geo)
        let tol: Float = 1e-4 * Float(max(1, max(t.c, t.o) / 8))
        DirectConvolution.$lowering.withValue(lowering) {
            // Planes under 14x14 run Winograd on the AVX-512 kernels only.
            let avx512 = DirectConvolution.cpuLevel == 2 && lowering == .automatic
            let expected = DirectConvolution.cpuSupported && (t.h * t.w >= 14 * 14 || avx512)
            #expect(WinogradConvolution.applies(to: geo) == expected)
            #expect(WinogradConvolution.appliesToInputGradient(geo) == expected)
            for threads in [1, 2] {
                Parallel.$taskThreads.withValue(threads) {
                    let ws = Workspace()
                    // NaN in the outputs first: every element must be overwritten.
                    var y = Tensor(shape: [t.o, t.n, t.h, t.w], repeating: .nan)
                    xc.withPointer { xp in w.withPointer { wp in y.withMutablePointer { yp in
                        ConvolutionKernels.forward(x: xp, batch: t.n, weight: wp, bias: nil, geometry: geo, y: yp, workspace: ws)
                    } } }
                    #expect(Layout.toBatchMajor(y).isClose(to: ref, rtol: tol, atol: tol), "forward \(t) threads \(threads)")
                    var dX = Tensor(shape: xc.shape, repeating: .nan)
                    xc.withPointer { xp in dyc.withPointer { dyp in w.withPointer { wp in dX.withMutablePointer { dxp in
                        ConvolutionKernels.backward(x: xp, dOutput: dyp, batch: t.n, weight: wp, geometry: geo,
                                                    dWeight: nil, dBias: nil, dInput: dxp, workspace: ws)
                    } } } }
                    #expect(Layout.toBatchMajor(dX).isClose(to: refBack.dInput, rtol: tol, atol: tol), "dInput \(t) threads \(threads)")
                }
            }
        }
    }

    /// scale, shift, residual and ReLU in every combination, against the same epilogue applied by the
    /// path that runs without this kernel.
    @Test(arguments: lowerings)
    func epilogueMatchesTheDirectPath(lowering: DirectConvolution.Lowering) {
        let (n, c, o, h, w) = (2, 32, 64, 15, 29)  // odd sides: the epilogue of half-used tiles too
        let geo = Conv2dGeometry(inChannels: c, outChannels: o, kernel: 3, stride: 1, padding: 1, inH: h, inW: w)
        var g = SeededGenerator(seed: 5)
        let x = Layout.toChannelMajor(uniformTensor([n, c, h, w], &g)), wt = uniformTensor([o, c, 3, 3], &g)
        let residual = uniformTensor([o, n, h, w], &g)
        let scale = (0..<o).map { _ in g.uniform(0.5, 1.5) }, shift = (0..<o).map { _ in g.uniform(-0.5, 0.5) }
        let bias = uniformTensor([o], &g)
        for (withScale, withResidual, relu, withBias) in [(false, false, false, true), (true, false, false, false),
                                                          (true, true, false, false), (true, false, true, true),
                                                          (true, true, true, false), (false, true, true, false)] {
            func run(winograd: Bool) -> Tensor {
                WinogradConvolution.$enabled.withValue(winograd) {
                    DirectConvolution.$lowering.withValue(lowering) {
                        #expect(WinogradConvolution.applies(to: geo) == (winograd && DirectConvolution.cpuSupported))
                        let epilogue = ConvolutionEpilogue(scale: withScale ? scale : nil, shift: withScale ? shift : nil,
                                                           residual: withResidual ? residual : nil, relu: relu)
                        return Tensor(shape: [o, n, h, w]) { yp in
                            x.withPointer { xp in wt.withPointer { wp in bias.withPointer { bp in
                                ConvolutionKernels.forward(x: xp, batch: n, weight: wp, bias: withBias ? bp : nil, geometry: geo,
                                                           y: yp, epilogue: epilogue, workspace: Workspace())
                            } } }
                        }
                    }
                }
            }
            let (fast, plain) = (run(winograd: true), run(winograd: false))
            #expect(fast.isClose(to: plain, rtol: 1e-3, atol: 1e-3),
                    "scale \(withScale) residual \(withResidual) relu \(relu) bias \(withBias)")
            if relu { #expect(fast.storage.allSatisfy { $0 >= 0 }) }
        }
    }

    @Test func outputDoesNotDependOnTheThreadCount() {
        let geo = Conv2dGeometry(inChannels: 32, outChannels: 32, kernel: 3, stride: 1, padding: 1, inH: 14, inW: 14)
        var g = SeededGenerator(seed: 3)
        let x = Layout.toChannelMajor(uniformTensor([5, 32, 14, 14], &g)), w = uniformTensor([32, 32, 3, 3], &g)
        let outputs = [1, 2, 3].map { threads in
            Parallel.$taskThreads.withValue(threads) {
                engineForward(x, weight: w, batch: 5, geometry: geo)
            }
        }
        #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2])
    }

    /// Small planes, stride 2, other kernels, thin layers and the im2col lowering keep their paths.
    @Test func otherGeometriesKeepTheirPaths() {
        func geo(_ c: Int, _ o: Int, _ h: Int, k: Int = 3, s: Int = 1, p: Int = 1) -> Conv2dGeometry {
            Conv2dGeometry(inChannels: c, outChannels: o, kernel: k, stride: s, padding: p, inH: h, inW: h)
        }
        for g in [geo(512, 512, 7), geo(256, 512, 7), geo(64, 64, 6), geo(64, 64, 56, s: 2), geo(64, 64, 56, k: 1, p: 0), geo(16, 16, 28),
                  geo(64, 62, 28), geo(64, 64, 28, p: 0)] {
            #expect(!WinogradConvolution.applies(to: g), "\(g)")
        }
        #expect(WinogradConvolution.applies(to: geo(256, 256, 7)) == (DirectConvolution.cpuLevel == 2))
        DirectConvolution.$lowering.withValue(.avx2) {
            #expect(!WinogradConvolution.applies(to: geo(64, 64, 13)))
        }
        DirectConvolution.$lowering.withValue(.im2col) {
            #expect(!WinogradConvolution.applies(to: geo(64, 64, 56)))
        }
        WinogradConvolution.$enabled.withValue(false) {
            #expect(!WinogradConvolution.applies(to: geo(64, 64, 56)))
        }
    }
}
