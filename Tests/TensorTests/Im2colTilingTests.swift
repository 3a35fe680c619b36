import Tensor
import Testing

/// The im2col paths the direct kernels leave to sgemm on ResNets, against the naive reference: the
/// 7x7 stride-2 stem whose one image is cut into row tiles (`ColumnBlocking`), 1x1 stride-2 shortcuts
/// whose input gradient is stored (not added) into dx, row-tiled and not. Each under every lowering
/// (the paths must not depend on which direct kernels run beside them) and 1-3 workers; outputs start
/// as NaN so a kernel that leaves an element unwritten fails.
@Suite struct Im2colTilingTests {
    struct Case: CustomStringConvertible, Sendable {
        var n, c, o, h, w, k, s, p: Int
        /// Whether one image's column matrix is cut into row tiles.
        var tiled: Bool
        var description: String { "n\(n) c\(c)→\(o) \(h)x\(w) k\(k) s\(s) p\(p)\(tiled ? " tiled" : "")" }
    }

    static let cases: [Case] = [
        // Stem-like: 147 x 2025 columns per image, 3 tiles of 15 rows (tiles overlap in dx: col2im adds).
        Case(n: 3, c: 3, o: 8, h: 90, w: 90, k: 7, s: 2, p: 3, tiled: true),
        // Odd plane, uneven last tile.
        Case(n: 2, c: 3, o: 4, h: 87, w: 83, k: 7, s: 2, p: 3, tiled: true),
        // 1x1 stride 2, tiled: even input height (row 57 is read by no output: zero from the last tile).
        Case(n: 2, c: 160, o: 8, h: 58, w: 57, k: 1, s: 2, p: 0, tiled: true),
        // 1x1 stride 2 on whole images (ResNet shortcuts at 14x14 and 7x7, odd and even).
        Case(n: 5, c: 32, o: 16, h: 14, w: 14, k: 1, s: 2, p: 0, tiled: false),
        Case(n: 3, c: 24, o: 8, h: 7, w: 7, k: 1, s: 2, p: 0, tiled: false),
        // 1x1 stride 3: positions the convolution skips in both directions.
        Case(n: 2, c: 5, o: 3, h: 10, w: 11, k: 1, s: 3, p: 0, tiled: false),
        // 3x3 stride 2 (the AVX2 path's input gradient) whose dx is zeroed per worker.
        Case(n: 5, c: 8, o: 8, h: 9, w: 10, k: 3, s: 2, p: 1, tiled: false),
    ]

    @Test(arguments: cases, [DirectConvolution.Lowering.automatic, .avx2, .im2col])
    func forwardAndGradientsMatchReference(_ t: Case, lowering: DirectConvolution.Lowering) {
        let geo = Conv2dGeometry(inChannels: t.c, outChannels: t.o, kernel: t.k, stride: t.s, padding: t.p, inH: t.h, inW: t.w)
        #expect(ColumnBlocking(geo, batch: t.n).tilesRows == t.tiled, "\(t)")
        var g = SeededGenerator(seed: UInt64(t.c * 17 + t.h))
        let x = uniformTensor([t.n, t.c, t.h, t.w], &g), w = uniformTensor([t.o, t.c, t.k, t.k], &g)
        let dy = uniformTensor([t.n, t.o, geo.outH, geo.outW], &g)
        let (xc, dyc) = (Layout.toChannelMajor(x), Layout.toChannelMajor(dy))
        let ref = ReferenceKernels.convForward(x: x, weight: w, bias: nil, geometry: geo)
        let r = ReferenceKernels.convBackward(x: x, weight: w, dOutput: dy, geometry: geo)
        let tol: Float = 1e-4 * Float(max(1, t.c * t.k * t.k / 64))
        for threads in [1, 2, 3] {
            DirectConvolution.$lowering.withValue(lowering) {
                Parallel.$taskThreads.withValue(threads) {
                    let ws = Workspace()
                    var y = Tensor(shape: [t.o, t.n, geo.outH, geo.outW], repeating: .nan)
                    xc.withPointer { xp in w.withPointer { wp in y.withMutablePointer { yp in
                        ConvolutionKernels.forward(x: xp, batch: t.n, weight: wp, bias: nil, geometry: geo, y: yp, workspace: ws)
                    } } }
                    #expect(Layout.toBatchMajor(y).isClose(to: ref, rtol: tol, atol: tol), "forward \(t) threads \(threads)")
                    var dW = Tensor(shape: w.shape, repeating: .nan), dX = Tensor(shape: xc.shape, repeating: .nan)
                    xc.withPointer { xp in dyc.withPointer { dyp in w.withPointer { wp in
                        dW.withMutablePointer { dwp in dX.withMutablePointer { dxp in
                            ConvolutionKernels.backward(x: xp, dOutput: dyp, batch: t.n, weight: wp, geometry: geo,
                                                        dWeight: dwp, dBias: nil, dInput: dxp, workspace: ws)
                        } }
                    } } }
                    #expect(dW.isClose(to: r.dWeight, rtol: tol, atol: tol), "dWeight \(t) threads \(threads)")
                    #expect(Layout.toBatchMajor(dX).isClose(to: r.dInput, rtol: tol, atol: tol), "dInput \(t) threads \(threads)")
                    // Each gradient alone (a frozen layer asks only for dInput, the stem only for dWeight).
                    var dX2 = Tensor(shape: xc.shape, repeating: .nan), dW2 = Tensor(shape: w.shape, repeating: .nan)
                    xc.withPointer { xp in dyc.withPointer { dyp in w.withPointer { wp in
                        dX2.withMutablePointer { dxp in
                            ConvolutionKernels.backward(x: xp, dOutput: dyp, batch: t.n, weight: wp, geometry: geo,
                                                        dWeight: nil, dBias: nil, dInput: dxp, workspace: ws)
                        }
                        dW2.withMutablePointer { dwp in
                            ConvolutionKernels.backward(x: xp, dOutput: dyp, batch: t.n, weight: wp, geometry: geo,
                                                        dWeight: dwp, dBias: nil, dInput: nil, workspace: ws)
                        }
                    } } }
                    #expect(dX2 == dX && dW2 == dW, "each gradient alone \(t) threads \(threads)")
                }
            }
        }
    }

    /// Row tiles and blocks depend only on shapes: the forward output is bit-identical for any thread count.
    @Test func tiledStemOutputDoesNotDependOnTheThreadCount() {
        let geo = Conv2dGeometry(inChannels: 3, outChannels: 8, kernel: 7, stride: 2, padding: 3, inH: 90, inW: 90)
        var g = SeededGenerator(seed: 4)
        let x = Layout.toChannelMajor(uniformTensor([3, 3, 90, 90], &g)), w = uniformTensor([8, 3, 7, 7], &g)
        let outputs = [1, 2, 3].map { threads in
            Parallel.$taskThreads.withValue(threads) {
                engineForward(x, weight: w, batch: 3, geometry: geo)
            }
        }
        #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2])
    }

    @Test func blockingOfResNetLayers() {
        // resnet18's stem at 224: 16 tiles of 7 output rows (784 columns, 115,248 floats per panel).
        let stem = ColumnBlocking(Conv2dGeometry(inChannels: 3, outChannels: 64, kernel: 7, stride: 2, padding: 3, inH: 224, inW: 224), batch: 32)
        #expect(stem.tilesRows && stem.rows == 7 && stem.images == 1)
        var tiles: [Range<Int>] = []
        stem.forEachBlock(of: 5..<6) { n0, count, rows in
            #expect(n0 == 5 && count == 1)
            tiles.append(rows)
        }
        #expect(tiles.count == 16 && tiles.first == 0..<7 && tiles.last == 105..<112)
        // A shortcut at 14x14: blocks of at least 512 columns (11 images of 49 positions).
        let ds = ColumnBlocking(Conv2dGeometry(inChannels: 256, outChannels: 512, kernel: 1, stride: 2, inH: 14, inW: 14), batch: 32)
        #expect(!ds.tilesRows && ds.images == 11)
        // layer4's 3x3: rows of 4,608 x 7 floats would make tiles too narrow, so whole images, 11 per
        // block; a worker's 16 images go in two equal blocks.
        let deep = ColumnBlocking(Conv2dGeometry(inChannels: 512, outChannels: 512, kernel: 3, stride: 1, padding: 1, inH: 7, inW: 7), batch: 32)
        #expect(!deep.tilesRows && deep.images == 11)
        var blocks: [Range<Int>] = []
        deep.forEachBlock(of: 16..<32) { n0, count, rows in
            #expect(rows == 0..<7)
            blocks.append(n0..<(n0 + count))
        }
        #expect(blocks == [16..<24, 24..<32])
    }
}
