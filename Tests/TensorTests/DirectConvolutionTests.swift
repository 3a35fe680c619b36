import Tensor
import Testing

/// The direct 3x3 kernels (forward, input and weight gradients) against the naive reference, on the shapes
/// whose edges it handles specially: odd and tiny planes (partial tiles, masked stores), stride 2
/// on odd sizes (the last polyphase row/column is padding), one input channel, many channels.
@Suite struct DirectConvolutionTests {
    struct Case: CustomStringConvertible, Sendable {
        var n, c, o, h, w, s: Int
        var description: String { "n\(n) c\(c)→\(o) \(h)x\(w) s\(s)" }
    }

    static let cases: [Case] = [
        Case(n: 3, c: 1, o: 16, h: 28, w: 28, s: 1),
        Case(n: 2, c: 16, o: 16, h: 28, w: 28, s: 1),
        Case(n: 2, c: 16, o: 32, h: 28, w: 28, s: 2),
        Case(n: 3, c: 8, o: 4, h: 9, w: 7, s: 2),
        Case(n: 2, c: 16, o: 8, h: 5, w: 6, s: 2),
        Case(n: 2, c: 64, o: 64, h: 7, w: 7, s: 1),
        Case(n: 3, c: 32, o: 64, h: 14, w: 14, s: 2),
        Case(n: 2, c: 5, o: 8, h: 7, w: 9, s: 2),
        Case(n: 4, c: 4, o: 4, h: 1, w: 1, s: 1),
        Case(n: 2, c: 8, o: 12, h: 3, w: 5, s: 1),
        Case(n: 2, c: 3, o: 4, h: 2, w: 3, s: 2),
        Case(n: 1, c: 4, o: 8, h: 17, w: 5, s: 1),
        // resnet18's deep end (many channels, planes smaller than one vector; 256 channels run as
        // im2col + sgemm, `prefersGemm`) and a large plane.
        Case(n: 1, c: 256, o: 512, h: 4, w: 4, s: 2),
        Case(n: 2, c: 128, o: 256, h: 4, w: 4, s: 2),
        Case(n: 3, c: 512, o: 16, h: 7, w: 7, s: 1),
        Case(n: 2, c: 64, o: 64, h: 2, w: 2, s: 1),
        Case(n: 1, c: 4, o: 8, h: 56, w: 56, s: 1),
    ]

    /// Every kernel level this CPU has: AVX-512 (tiles of 8 output channels, falling back to AVX2 for
    /// 4 and 12) and AVX2 alone.
    @Test(arguments: cases, [DirectConvolution.Lowering.automatic, .avx2])
    func forwardAndInputGradientMatchReference(_ t: Case, lowering: DirectConvolution.Lowering) {
        DirectConvolution.$lowering.withValue(lowering) {
            for threads in [1, 2] { check(t, threads: threads) }
        }
    }

    func check(_ t: Case, threads: Int) {
        let geo = Conv2dGeometry(inChannels: t.c, outChannels: t.o, kernel: 3, stride: t.s, padding: 1, inH: t.h, inW: t.w)
        let level = DirectConvolution.lowering == .avx2 ? min(DirectConvolution.cpuLevel, 1) : DirectConvolution.cpuLevel
        // The forward kernel's level: AVX-512 tiles 8 output channels, AVX2 4.
        let forwardLevel = level == 2 && t.o % 8 == 0 ? 2 : level > 0 && t.o % 4 == 0 ? 1 : 0
        #expect(DirectConvolution.applies(to: geo)
                == (forwardLevel > 0 && !DirectConvolution.prefersGemm(.forward, channels: t.c, plane: geo.outPlane, level: forwardLevel)))
        let inputLevel = t.s == 1 ? (level == 2 && t.c % 8 == 0 ? 2 : level > 0 && t.c % 4 == 0 ? 1 : 0) : level == 2 && t.c % 8 == 0 ? 2 : 0
        #expect(DirectConvolution.appliesToInputGradient(geo)
                == (inputLevel > 0 && !DirectConvolution.prefersGemm(.inputGradient, channels: t.o, plane: geo.outPlane, level: inputLevel)))
        #expect(DirectConvolution.appliesToWeightGradient(geo)
                == (level > 0 && !DirectConvolution.prefersGemm(.weightGradient, channels: t.c, plane: geo.outPlane, level: level)))
        var g = SeededGenerator(seed: UInt64(t.c * 31 + t.h))
        let x = uniformTensor([t.n, t.c, t.h, t.w], &g), w = uniformTensor([t.o, t.c, 3, 3], &g)
        let dy = uniformTensor([t.n, t.o, geo.outH, geo.outW], &g)
        let (xc, dyc) = (Layout.toChannelMajor(x), Layout.toChannelMajor(dy))
        let ref = ReferenceKernels.convForward(x: x, weight: w, bias: nil, geometry: geo)
        let refBack = ReferenceKernels.convBackward(x: x, weight: w, dOutput: dy, geometry: geo)
        let tol: Float = 1e-4 * Float(max(1, t.c / 8))
        Parallel.$taskThreads.withValue(threads) {
            // Garbage in the outputs first: the kernel must overwrite every element.
            var y = Tensor(shape: [t.o, t.n, geo.outH, geo.outW], repeating: .nan)
            let ws = Workspace()
            xc.withPointer { xp in w.withPointer { wp in y.withMutablePointer { yp in
                ConvolutionKernels.forward(x: xp, batch: t.n, weight: wp, bias: nil, geometry: geo, y: yp, workspace: ws)
            } } }
            #expect(Layout.toBatchMajor(y).isClose(to: ref, rtol: tol, atol: tol), "forward \(t)")

            var dX = Tensor(shape: xc.shape, repeating: .nan), dW = Tensor.zeros(w.shape)
            xc.withPointer { xp in dyc.withPointer { dyp in w.withPointer { wp in
                dW.withMutablePointer { dwp in dX.withMutablePointer { dxp in
                    ConvolutionKernels.backward(x: xp, dOutput: dyp, batch: t.n, weight: wp, geometry: geo,
                                                dWeight: dwp, dBias: nil, dInput: dxp, workspace: ws)
                } }
            } } }
            #expect(Layout.toBatchMajor(dX).isClose(to: refBack.dInput, rtol: tol, atol: tol), "dInput \(t)")
            #expect(dW.isClose(to: refBack.dWeight, rtol: tol, atol: tol), "dWeight \(t)")
        }
    }

    /// The weight-gradient kernel takes any number of output channels (rows of 3, 2 and 1).
    @Test(arguments: [1, 2, 7], [DirectConvolution.Lowering.automatic, .avx2])
    func weightGradientForAnyOutputCount(outputs: Int, lowering: DirectConvolution.Lowering) {
        let geo = Conv2dGeometry(inChannels: 3, outChannels: outputs, kernel: 3, stride: 1, padding: 1, inH: 9, inW: 10)
        var g = SeededGenerator(seed: UInt64(outputs))
        let x = uniformTensor([3, 3, 9, 10], &g), w = uniformTensor([outputs, 3, 3, 3], &g)
        let dy = uniformTensor([3, outputs, 9, 10], &g)
        let (xc, dyc) = (Layout.toChannelMajor(x), Layout.toChannelMajor(dy))
        var dW = Tensor(shape: w.shape, repeating: .nan)
        DirectConvolution.$lowering.withValue(lowering) {
            #expect(DirectConvolution.appliesToWeightGradient(geo) == DirectConvolution.cpuSupported)
            xc.withPointer { xp in dyc.withPointer { dyp in w.withPointer { wp in dW.withMutablePointer { dwp in
                ConvolutionKernels.backward(x: xp, dOutput: dyp, batch: 3, weight: wp, geometry: geo,
                                            dWeight: dwp, dBias: nil, dInput: nil, workspace: Workspace())
            } } } }
        }
        let r = ReferenceKernels.convBackward(x: x, weight: w, dOutput: dy, geometry: geo)
        #expect(dW.isClose(to: r.dWeight, rtol: 1e-4, atol: 1e-4))
    }

    @Test func outputDoesNotDependOnTheThreadCount() {
        let geo = Conv2dGeometry(inChannels: 16, outChannels: 32, kernel: 3, stride: 2, padding: 1, inH: 28, inW: 28)
        var g = SeededGenerator(seed: 11)
        let x = Layout.toChannelMajor(uniformTensor([5, 16, 28, 28], &g)), w = uniformTensor([32, 16, 3, 3], &g)
        let outputs = [1, 2, 3].map { threads in
            Parallel.$taskThreads.withValue(threads) {
                engineForward(x, weight: w, batch: 5, geometry: geo)
            }
        }
        #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2])
    }

    /// Where each kernel set hands a pass to im2col + sgemm (the per-pass figures in
    /// docs/benchmarks.md): the AVX2 kernel keeps the 28x28 nets' layers, not resnet18's.
    @Test func avx2KernelLeavesImageNetLayersToSgemm() {
        #expect(DirectConvolution.prefersGemm(.forward, channels: 64, plane: 56 * 56, level: 1))
        #expect(!DirectConvolution.prefersGemm(.forward, channels: 64, plane: 56 * 56, level: 2))
        #expect(DirectConvolution.prefersGemm(.inputGradient, channels: 256, plane: 14 * 14, level: 1))
        #expect(!DirectConvolution.prefersGemm(.forward, channels: 64, plane: 14 * 14, level: 1))
        #expect(!DirectConvolution.prefersGemm(.inputGradient, channels: 32, plane: 28 * 28, level: 1))
        #expect(DirectConvolution.prefersGemm(.weightGradient, channels: 32, plane: 14 * 14, level: 1))
        #expect(!DirectConvolution.prefersGemm(.weightGradient, channels: 16, plane: 28 * 28, level: 1))
        #expect(!DirectConvolution.prefersGemm(.weightGradient, channels: 128, plane: 28 * 28, level: 2))
        #expect(DirectConvolution.prefersGemm(.forward, channels: 512, plane: 7 * 7, level: 2))
        let layer1 = Conv2dGeometry(inChannels: 64, outChannels: 64, kernel: 3, stride: 1, padding: 1, inH: 56, inW: 56)
        let mini = Conv2dGeometry(inChannels: 16, outChannels: 16, kernel: 3, stride: 1, padding: 1, inH: 28, inW: 28)
        DirectConvolution.$lowering.withValue(.avx2) {
            #expect(!DirectConvolution.applies(to: layer1) && !DirectConvolution.appliesToWeightGradient(layer1)
                    && !DirectConvolution.appliesToInputGradient(layer1))
            #expect(DirectConvolution.applies(to: mini) == DirectConvolution.cpuSupported)
            #expect(DirectConvolution.appliesToWeightGradient(mini) == DirectConvolution.cpuSupported)
        }
    }

    @Test func otherGeometriesKeepIm2col() {
        let shapes = [
            Conv2dGeometry(inChannels: 4, outChannels: 6, kernel: 3, stride: 1, padding: 1, inH: 8, inW: 8),  // O % 4
            Conv2dGeometry(inChannels: 4, outChannels: 8, kernel: 3, stride: 1, padding: 0, inH: 8, inW: 8),  // no padding
            Conv2dGeometry(inChannels: 4, outChannels: 8, kernel: 5, stride: 1, padding: 2, inH: 8, inW: 8),  // 5x5
            Conv2dGeometry(inChannels: 4, outChannels: 8, kernel: 3, stride: 3, padding: 1, inH: 9, inW: 9),  // stride 3
        ]
        for geo in shapes { #expect(!DirectConvolution.applies(to: geo), "\(geo)") }
        for geo in shapes.dropFirst() { #expect(!DirectConvolution.appliesToWeightGradient(geo), "\(geo)") }
        let strided = Conv2dGeometry(inChannels: 4, outChannels: 8, kernel: 3, stride: 2, padding: 1, inH: 8, inW: 8)  // 4 % 8
        #expect(!DirectConvolution.appliesToInputGradient(strided))
        let geo = Conv2dGeometry(inChannels: 8, outChannels: 8, kernel: 3, stride: 1, padding: 1, inH: 8, inW: 8)
        DirectConvolution.$lowering.withValue(.im2col) {
            #expect(!DirectConvolution.applies(to: geo) && !DirectConvolution.appliesToInputGradient(geo))
        }
    }
}
