/// How an im2col + sgemm convolution cuts a worker's images into column blocks. Blocks of whole
/// images whose column matrix fits `ConvolutionKernels.maxColumnFloats`, small enough to stay in L2
/// between the im2col that writes it and the sgemm that reads it; or, where one image's matrix alone
/// is larger (the 7x7 stem at 224: 147 x 12,544) and a tile of output rows still gives sgemm at least
/// `minimumTileColumns` columns, single images cut into tiles of at most `rows` output rows.
/// Small planes with many channels (resnet18's layer4: 4,608 x 49 per image) take at least
/// `minimumBlockColumns` columns per block even past the L2 bound: each sgemm call packs the whole
/// weight matrix (512 x 4,608) once, which costs more than the multiply-adds of a 49-column product,
/// while a larger lowered matrix only costs one more pass through L3 (each of its floats feeds 2·O
/// flops).
///
/// Workers take contiguous images (the engine's usual split), then cut their own range into equal
/// blocks, so that 2 workers get equal work whatever the block size: tiles depend only on shapes,
/// image blocks also on the thread count (results are deterministic for a given thread count).
public struct ColumnBlocking: Sendable, Equatable {
    /// Images per block at most (1 when images are cut into row tiles).
    public let images: Int
    /// Output rows per tile (`outH` when blocks are whole images).
    public let rows: Int
    let outH: Int

    /// Narrower panels cost sgemm more in packing than the lowered matrix costs in cache misses.
    public static let minimumTileColumns = 256
    /// Columns a block of whole images gets at least (while the worker has images to give).
    public static let minimumBlockColumns = 512
    /// Bound on such a widened block: 4 Mi floats = 16 MiB.
    public static let maxWidenedFloats = 1 << 22

    public init(_ g: Conv2dGeometry, batch: Int) {
        outH = g.outH
        let perImage = max(1, g.colRows * g.outPlane), perRow = max(1, g.colRows * g.outW)
        let fitRows = ConvolutionKernels.maxColumnFloats / perRow
        if perImage > ConvolutionKernels.maxColumnFloats, fitRows * g.outW >= Self.minimumTileColumns, g.outH > 1 {
            let tiles = (g.outH + fitRows - 1) / fitRows
            (images, rows) = (1, (g.outH + tiles - 1) / tiles)
        } else {
            let fit = ConvolutionKernels.maxColumnFloats / perImage
            let wide = min((Self.minimumBlockColumns + g.outPlane - 1) / max(1, g.outPlane), Self.maxWidenedFloats / perImage)
            (images, rows) = (max(1, min(batch, max(fit, wide))), g.outH)
        }
    }

    /// Whether images are cut into row tiles.
    public var tilesRows: Bool { rows < outH }

    /// Floats of one block's column matrix.
    public func columnFloats(_ g: Conv2dGeometry) -> Int { g.colRows * images * rows * g.outW }

    /// Calls `body(first image, image count, output rows)` for the blocks that cover `range` (one
    /// worker's images), in order: equal blocks of at most `images` images, or each image tile by tile.
    public func forEachBlock(of range: Range<Int>, _ body: (_ n0: Int, _ count: Int, _ rows: Range<Int>) -> Void) {
        if tilesRows {
            for n in range {
                for r0 in stride(from: 0, to: outH, by: rows) { body(n, 1, r0..<min(outH, r0 + rows)) }
            }
            return
        }
        let blocks = (range.count + images - 1) / images
        for b in 0..<blocks {
            let lo = range.lowerBound + range.count * b / blocks, hi = range.lowerBound + range.count * (b + 1) / blocks
            body(lo, hi - lo, 0..<outH)
        }
    }
}
