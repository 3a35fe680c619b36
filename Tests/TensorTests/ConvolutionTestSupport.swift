import Tensor

// What the convolution suites share: seeded inputs, and one forward pass through the engine.

/// A tensor of `shape` with values uniform in [-1, 1) from `g`.
func uniformTensor(_ shape: [Int], _ g: inout SeededGenerator) -> Tensor {
    var t = Tensor.zeros(shape)
    for i in 0..<t.count { t.storage[i] = g.uniform(-1, 1) }
    return t
}

/// `ConvolutionKernels.forward` of the channel-major `x` (no bias) under the caller's lowering and
/// thread count: the (O, N, H', W') output.
func engineForward(_ x: Tensor, weight: Tensor, batch: Int, geometry g: Conv2dGeometry,
                   workspace: Workspace = Workspace()) -> Tensor {
    Tensor(shape: [g.outChannels, batch, g.outH, g.outW]) { yp in
        x.withPointer { xp in weight.withPointer { wp in
            ConvolutionKernels.forward(x: xp, batch: batch, weight: wp, bias: nil, geometry: g, y: yp, workspace: workspace)
        } }
    }
}
