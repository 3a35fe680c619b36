/// Naive, obviously-correct kernels in plain NCHW: the oracle the optimised kernels are tested
/// against. Never used on the training path.
public enum ReferenceKernels {
    /// C (m x n) = A (m x k) · B (k x n), row-major, no transposes.
    public static func matmul(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n {
            var s: Double = 0
            for q in 0..<k { s += Double(a[i * k + q]) * Double(b[q * n + j]) }
            c[i * n + j] = Float(s)
        } }
        return c
    }

    /// x (N,C,H,W), weight (O,C,kh,kw), bias (O) → y (N,O,H',W').
    public static func convForward(x: Tensor, weight: Tensor, bias: Tensor?, geometry g: Conv2dGeometry) -> Tensor {
        let n = x.shape[0]
        var y = Tensor.zeros([n, g.outChannels, g.outH, g.outW])
        for b in 0..<n { for o in 0..<g.outChannels { for oy in 0..<g.outH { for ox in 0..<g.outW {
            var s: Double = Double(bias?.storage[o] ?? 0)
            for c in 0..<g.inChannels { for i in 0..<g.kernelH { for j in 0..<g.kernelW {
                let iy = oy * g.strideH - g.padH + i, ix = ox * g.strideW - g.padW + j
                guard iy >= 0, iy < g.inH, ix >= 0, ix < g.inW else { continue }
                s += Double(x.storage[((b * g.inChannels + c) * g.inH + iy) * g.inW + ix])
                    * Double(weight.storage[((o * g.inChannels + c) * g.kernelH + i) * g.kernelW + j])
            } } }
            y.storage[((b * g.outChannels + o) * g.outH + oy) * g.outW + ox] = Float(s)
        } } } }
        return y
    }

    /// Gradients of `convForward` given dY (N,O,H',W'): dInput (N,C,H,W), dWeight (O,C,kh,kw), dBias (O).
    public static func convBackward(x: Tensor, weight: Tensor, dOutput dy: Tensor, geometry g: Conv2dGeometry)
        -> (dInput: Tensor, dWeight: Tensor, dBias: Tensor)
    {
        let n = x.shape[0]
        var dx = [Double](repeating: 0, count: x.count)
        var dw = [Double](repeating: 0, count: weight.count)
        var db = [Double](repeating: 0, count: g.outChannels)
        for b in 0..<n { for o in 0..<g.outChannels { for oy in 0..<g.outH { for ox in 0..<g.outW {
            let d = Double(dy.storage[((b * g.outChannels + o) * g.outH + oy) * g.outW + ox])
            db[o] += d
            for c in 0..<g.inChannels { for i in 0..<g.kernelH { for j in 0..<g.kernelW {
                let iy = oy * g.strideH - g.padH + i, ix = ox * g.strideW - g.padW + j
                guard iy >= 0, iy < g.inH, ix >= 0, ix < g.inW else { continue }
                let xi = ((b * g.inChannels + c) * g.inH + iy) * g.inW + ix
                let wi = ((o * g.inChannels + c) * g.kernelH + i) * g.kernelW + j
                dx[xi] += d * Double(weight.storage[wi])
                dw[wi] += d * Double(x.storage[xi])
            } } }
        } } } }
        return (Tensor(shape: x.shape, storage: dx.map(Float.init)),
                Tensor(shape: weight.shape, storage: dw.map(Float.init)),
                Tensor(shape: [g.outChannels], storage: db.map(Float.init)))
    }
}
