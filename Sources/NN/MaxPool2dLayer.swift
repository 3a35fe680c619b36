import Tensor

/// Max pooling with zero-free (−∞) padding, PyTorch's `MaxPool2d` (dilation 1, floor mode).
///
/// forward:  x (C,N,H,W) → y (C,N,H',W'), `H' = ⌊(H + 2p − k)/s⌋ + 1`
/// backward: dOutput (C,N,H',W') → dInput (C,N,H,W): each output's gradient goes to the first
/// maximum of its window in row-major order.
public final class MaxPool2dLayer: Layer {
    public let name: String
    public let kernel: Int, stride: Int, padding: Int
    private var inputShape: [Int]?
    private var argmax = [Int32]()

    public init(name: String, kernel: Int, stride: Int? = nil, padding: Int = 0) {
        self.name = name
        (self.kernel, self.stride, self.padding) = (kernel, stride ?? kernel, padding)
    }

    public var parameters: [Parameter] { [] }

    public func outputShape(for s: [Int]) throws(ArchitectureError) -> [Int] {
        guard s.count == 3 else { throw .shapeMismatch(layer: name, expected: "[C, H, W]", got: "\(s)") }
        guard padding * 2 <= kernel else { throw .invalidLayer(layer: name, reason: "padding must be at most half the kernel") }
        let g = geometry(c: s[0], h: s[1], w: s[2])
        guard g.outH > 0, g.outW > 0 else { throw .invalidLayer(layer: name, reason: "input \(s) smaller than kernel") }
        return [s[0], g.outH, g.outW]
    }

    func geometry(c: Int, h: Int, w: Int) -> Conv2dGeometry {
        Conv2dGeometry(inChannels: c, outChannels: c, kernel: kernel, stride: stride, padding: padding, inH: h, inW: w)
    }

    public func forward(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        let g = geometry(c: x.shape[0], h: x.shape[2], w: x.shape[3])
        let planes = x.shape[0] * x.shape[1]
        let record = context.recordForBackward
        inputShape = record ? x.shape : nil
        var idx = [Int32](repeating: 0, count: record ? planes * g.outPlane : 0)
        if !record, !(kernel == 2 && stride == 2 && padding == 0) {
            argmax = []
            return Self.separableMax(x, g, planes: planes, kernel: kernel, stride: stride, padding: padding)
        }
        let y = Tensor(shape: [x.shape[0], x.shape[1], g.outH, g.outW]) { y in
            x.withPointer { xp in idx.withUnsafeMutableBufferPointer { ip in
                let box = UnsafeSendableBox((xp, y, record ? ip.baseAddress : nil))
                Parallel.forEach(planes) { p in
                    let (xp, y, ip) = box.value
                    let src = xp + p * g.inPlane
                    if kernel == 2 && stride == 2 && padding == 0 {
                        Self.pool2x2(src, g, y + p * g.outPlane, ip.map { $0 + p * g.outPlane })
                        return
                    }
                    for oy in 0..<g.outH { for ox in 0..<g.outW {
                        var best = -Float.infinity, at = -1
                        for i in 0..<kernel {
                            let iy = oy * stride - padding + i
                            if iy < 0 || iy >= g.inH { continue }
                            for j in 0..<kernel {
                                let ix = ox * stride - padding + j
                                if ix < 0 || ix >= g.inW { continue }
                                let v = src[iy * g.inW + ix]
                                if v > best || at < 0 || v.isNaN { best = v; at = iy * g.inW + ix }
                            }
                        }
                        let o = p * g.outPlane + oy * g.outW + ox
                        y[o] = best
                        if let ip { ip[o] = Int32(at) }
                    }}
                }
            } }
        }
        argmax = idx
        return y
    }

    /// The values of a forward pass that records nothing (inference, a frozen body), for any
    /// window: max is separable, so each plane is reduced along rows (every input row to the output
    /// columns) and then along columns. That is 2k comparisons per output instead of k², with no
    /// per-tap bounds checks, and the column pass runs over contiguous rows the compiler
    /// vectorizes. The stem's 3x3 / stride-2 pool of a torchvision ResNet went through the k²
    /// loop with a bounds check and an argmax update per tap. Same values, bit for bit, as that
    /// loop: ties keep the first in row-major order (the row pass keeps each row's first maximum,
    /// the column pass the earliest row's), and a NaN anywhere in a window is the output.
    static func separableMax(_ x: Tensor, _ g: Conv2dGeometry, planes: Int, kernel: Int, stride: Int, padding: Int) -> Tensor {
        Tensor(shape: [x.shape[0], x.shape[1], g.outH, g.outW]) { y in
            x.withPointer { xp in
                let box = UnsafeSendableBox((xp, y))
                Parallel.forEach(planes) { p in
                    let (xp, y) = box.value
                    let src = xp + p * g.inPlane, dst = y + p * g.outPlane
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: g.inH * g.outW) { rows in
                        let rows = rows.baseAddress!
                        for iy in 0..<g.inH {
                            let line = src + iy * g.inW, out = rows + iy * g.outW
                            for ox in 0..<g.outW {
                                let x0 = ox * stride - padding
                                let lo = max(x0, 0), hi = min(x0 + kernel, g.inW)
                                var best = line[lo]
                                for ix in (lo + 1)..<max(hi, lo + 1) {
                                    let v = line[ix]
                                    if v > best || v.isNaN { best = v }
                                }
                                out[ox] = best
                            }
                        }
                        for oy in 0..<g.outH {
                            let y0 = oy * stride - padding
                            let lo = max(y0, 0), hi = min(y0 + kernel, g.inH)
                            let out = dst + oy * g.outW
                            out.update(from: rows + lo * g.outW, count: g.outW)
                            for iy in (lo + 1)..<max(hi, lo + 1) {
                                let row = rows + iy * g.outW
                                for ox in 0..<g.outW {
                                    let v = row[ox]
                                    if v > out[ox] || v.isNaN { out[ox] = v }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The common 2x2 / stride-2 window, unrolled; same first-maximum tie rule.
    @inline(__always)
    static func pool2x2(_ src: UnsafePointer<Float>, _ g: Conv2dGeometry, _ y: UnsafeMutablePointer<Float>,
                        _ ip: UnsafeMutablePointer<Int32>?) {
        let w = g.inW
        for oy in 0..<g.outH {
            let r0 = 2 * oy * w, r1 = r0 + w
            for ox in 0..<g.outW {
                let c = 2 * ox
                var best = src[r0 + c], at = r0 + c
                if src[r0 + c + 1] > best { best = src[r0 + c + 1]; at = r0 + c + 1 }
                if src[r1 + c] > best { best = src[r1 + c]; at = r1 + c }
                if src[r1 + c + 1] > best { best = src[r1 + c + 1]; at = r1 + c + 1 }
                y[oy * g.outW + ox] = best
                ip?[oy * g.outW + ox] = Int32(at)
            }
        }
    }

    public func backward(_ dOutput: Tensor, _ context: BackwardContext) -> Tensor? {
        guard let shape = inputShape else { preconditionFailure("\(name): backward without a recorded forward") }
        inputShape = nil
        guard context.needsInputGradient else { return nil }
        let planes = shape[0] * shape[1], inPlane = shape[2] * shape[3]
        let outPlane = dOutput.count / planes
        var dx = Tensor.zeros(shape)
        dx.withMutablePointer { dxp in dOutput.withPointer { dyp in argmax.withUnsafeBufferPointer { ip in
            let box = UnsafeSendableBox((dxp, dyp, ip.baseAddress!))
            Parallel.forEach(planes) { p in
                let (dxp, dyp, ip) = box.value
                for o in 0..<outPlane {
                    dxp[p * inPlane + Int(ip[p * outPlane + o])] += dyp[p * outPlane + o]
                }
            }
        } } }
        return dx
    }
}
