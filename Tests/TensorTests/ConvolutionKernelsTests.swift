import Tensor
import Testing

/// The im2col + sgemm convolution against the naive NCHW reference, for every shape class the
/// engine uses: padded 3x3, strided, 1x1 pointwise (no im2col), strided 1x1, 7x7 stems, bias.
@Suite struct ConvolutionKernelsTests {
    struct Case: CustomStringConvertible, Sendable {
        var n, c, o, h, w, k, s, p: Int
        var bias: Bool
        var description: String { "n\(n) c\(c)→\(o) \(h)x\(w) k\(k) s\(s) p\(p)\(bias ? " bias" : "")" }
    }

    static let cases: [Case] = [
        Case(n: 3, c: 2, o: 4, h: 7, w: 6, k: 3, s: 1, p: 1, bias: false),
        Case(n: 2, c: 3, o: 5, h: 9, w: 9, k: 3, s: 2, p: 1, bias: true),
        Case(n: 2, c: 3, o: 8, h: 9, w: 9, k: 3, s: 1, p: 1, bias: true),  // the direct kernel with a bias epilogue
        Case(n: 4, c: 6, o: 3, h: 5, w: 5, k: 1, s: 1, p: 0, bias: false),
        Case(n: 2, c: 4, o: 6, h: 8, w: 7, k: 1, s: 2, p: 0, bias: false),
        Case(n: 2, c: 3, o: 4, h: 11, w: 12, k: 7, s: 2, p: 3, bias: true),
        Case(n: 1, c: 1, o: 2, h: 4, w: 4, k: 5, s: 1, p: 2, bias: true),
    ]

    @Test(arguments: cases)
    func forwardAndBackwardMatchReference(_ t: Case) {
        var g = SeededGenerator(seed: 7)
        let geo = Conv2dGeometry(inChannels: t.c, outChannels: t.o, kernel: t.k, stride: t.s, padding: t.p, inH: t.h, inW: t.w)
        let x = uniformTensor([t.n, t.c, t.h, t.w], &g)
        let w = uniformTensor([t.o, t.c, t.k, t.k], &g)
        let b = t.bias ? uniformTensor([t.o], &g) : nil
        let dy = uniformTensor([t.n, t.o, geo.outH, geo.outW], &g)
        let ws = Workspace()

        let xc = Layout.toChannelMajor(x)
        let y = Tensor(shape: [t.o, t.n, geo.outH, geo.outW]) { yp in
            xc.withPointer { xp in w.withPointer { wp in
                if let b {
                    b.withPointer { bp in ConvolutionKernels.forward(x: xp, batch: t.n, weight: wp, bias: bp, geometry: geo, y: yp, workspace: ws) }
                } else {
                    ConvolutionKernels.forward(x: xp, batch: t.n, weight: wp, bias: nil, geometry: geo, y: yp, workspace: ws)
                }
            } }
        }
        let ref = ReferenceKernels.convForward(x: x, weight: w, bias: b, geometry: geo)
        #expect(Layout.toBatchMajor(y).isClose(to: ref, rtol: 1e-5, atol: 1e-5), "forward \(t)")

        var dW = Tensor.zeros(w.shape), dB = Tensor.zeros([t.o]), dX = Tensor.zeros(xc.shape)
        let dyc = Layout.toChannelMajor(dy)
        xc.withPointer { xp in dyc.withPointer { dyp in w.withPointer { wp in
            dW.withMutablePointer { dwp in dB.withMutablePointer { dbp in dX.withMutablePointer { dxp in
                ConvolutionKernels.backward(x: xp, dOutput: dyp, batch: t.n, weight: wp, geometry: geo,
                                            dWeight: dwp, dBias: dbp, dInput: dxp, workspace: ws)
            } } }
        } } }
        let r = ReferenceKernels.convBackward(x: x, weight: w, dOutput: dy, geometry: geo)
        #expect(dW.isClose(to: r.dWeight, rtol: 1e-5, atol: 1e-5), "dWeight \(t)")
        #expect(dB.isClose(to: r.dBias, rtol: 1e-5, atol: 1e-5), "dBias \(t)")
        #expect(Layout.toBatchMajor(dX).isClose(to: r.dInput, rtol: 1e-5, atol: 1e-5), "dInput \(t)")
    }

    @Test func batchLargerThanOneIm2colBlockMatchesReference() {
        // 64 images of 32x28x28 lowered by a 3x3 conv exceed one im2col block.
        let geo = Conv2dGeometry(inChannels: 32, outChannels: 2, kernel: 3, stride: 1, padding: 1, inH: 28, inW: 28)
        #expect(ConvolutionKernels.blockSize(geo, batch: 64) < 64)
        var g = SeededGenerator(seed: 3)
        let n = 20
        let x = uniformTensor([n, 32, 28, 28], &g), w = uniformTensor([2, 32, 3, 3], &g)
        let small = Conv2dGeometry(inChannels: 32, outChannels: 2, kernel: 3, stride: 1, padding: 1, inH: 28, inW: 28)
        let xc = Layout.toChannelMajor(x)
        let y = engineForward(xc, weight: w, batch: n, geometry: small)
        #expect(ConvolutionKernels.blockSize(small, batch: n) < n)
        #expect(Layout.toBatchMajor(y).isClose(to: ReferenceKernels.convForward(x: x, weight: w, bias: nil, geometry: small),
                                                 rtol: 1e-4, atol: 1e-4))
    }

    /// Several workers, several blocks each: outputs and input gradients are written block by block
    /// by whichever worker owns the block, the weight gradient is summed per worker then over workers.
    @Test(arguments: [1, 2, 3])
    func multipleWorkersOverManyBlocksMatchTheReference(threads: Int) {
        let geo = Conv2dGeometry(inChannels: 24, outChannels: 5, kernel: 3, stride: 1, padding: 1, inH: 14, inW: 14)
        let n = 40
        #expect(ConvolutionKernels.blockSize(geo, batch: n) * 4 < n, "the batch spans several blocks")
        var g = SeededGenerator(seed: 5)
        let x = uniformTensor([n, 24, 14, 14], &g), w = uniformTensor([5, 24, 3, 3], &g), dy = uniformTensor([n, 5, 14, 14], &g)
        let (xc, dyc) = (Layout.toChannelMajor(x), Layout.toChannelMajor(dy))
        let ws = Workspace()
        Parallel.$taskThreads.withValue(threads) {
            let y = engineForward(xc, weight: w, batch: n, geometry: geo, workspace: ws)
            #expect(Layout.toBatchMajor(y).isClose(to: ReferenceKernels.convForward(x: x, weight: w, bias: nil, geometry: geo),
                                                     rtol: 1e-4, atol: 1e-4))
            var dW = Tensor.zeros(w.shape), dX = Tensor.zeros(xc.shape)
            xc.withPointer { xp in dyc.withPointer { dyp in w.withPointer { wp in
                dW.withMutablePointer { dwp in dX.withMutablePointer { dxp in
                    ConvolutionKernels.backward(x: xp, dOutput: dyp, batch: n, weight: wp, geometry: geo,
                                                dWeight: dwp, dBias: nil, dInput: dxp, workspace: ws)
                } }
            } } }
            let r = ReferenceKernels.convBackward(x: x, weight: w, dOutput: dy, geometry: geo)
            #expect(dW.isClose(to: r.dWeight, rtol: 1e-4, atol: 1e-4))
            #expect(Layout.toBatchMajor(dX).isClose(to: r.dInput, rtol: 1e-4, atol: 1e-4))
        }
    }

    @Test func layoutSwapIsItsOwnInverse() {
        var g = SeededGenerator(seed: 1)
        let x = uniformTensor([3, 4, 2, 5], &g)
        let c = Layout.toChannelMajor(x)
        #expect(c.shape == [4, 3, 2, 5])
        #expect(c.storage[((1 * 3) + 2) * 10 + 7] == x.storage[((2 * 4) + 1) * 10 + 7])
        #expect(Layout.toBatchMajor(c) == x)
    }

    @Test func referenceMatmulMatchesHandProduct() {
        #expect(ReferenceKernels.matmul([1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12], m: 2, n: 2, k: 3) == [58, 64, 139, 154])
    }
}
