import Tensor

/// Batch normalisation over (N,H,W) per channel, PyTorch's `BatchNorm2d` (affine, tracked stats).
///
/// forward:  x (C,N,H,W) → y (C,N,H,W)
/// backward: dOutput (C,N,H,W) → dInput (C,N,H,W); dWeight (C) = dγ; dBias (C) = dβ
///
/// Training mode normalises with the batch mean and biased variance and updates the running
/// statistics with `momentum` (0.1) and the *unbiased* variance, as PyTorch does. Inference mode
/// (also used whenever the layer is frozen) normalises with the running statistics and leaves
/// them untouched.
public final class BatchNorm2dLayer: Layer {
    public let name: String
    public let channels: Int
    public let eps: Float, momentum: Float
    public let weight: Parameter, bias: Parameter
    public let runningMean: Buffer, runningVar: Buffer, numBatchesTracked: Buffer

    private var input: Tensor?
    private var mean = [Float](), invStd = [Float]()
    /// Whether the recorded forward used batch statistics.
    private var recordedTraining = false

    public init(name: String, channels: Int, eps: Float = 1e-5, momentum: Float = 0.1) {
        self.name = name
        self.channels = channels
        (self.eps, self.momentum) = (eps, momentum)
        weight = Parameter(name: name + ".weight", value: Tensor(shape: [channels], repeating: 1))
        bias = Parameter(name: name + ".bias", value: Tensor(shape: [channels], repeating: 0))
        runningMean = Buffer(name: name + ".running_mean", value: Tensor(shape: [channels], repeating: 0))
        runningVar = Buffer(name: name + ".running_var", value: Tensor(shape: [channels], repeating: 1))
        numBatchesTracked = Buffer(name: name + ".num_batches_tracked", value: Tensor(shape: [], repeating: 0), isInteger: true)
    }

    public var parameters: [Parameter] { [weight, bias] }
    public var buffers: [Buffer] { [runningMean, runningVar, numBatchesTracked] }

    public func outputShape(for s: [Int]) throws(ArchitectureError) -> [Int] {
        guard s.count == 3, s[0] == channels else {
            throw .shapeMismatch(layer: name, expected: "[\(channels), H, W]", got: "\(s)")
        }
        return s
    }

    public func forward(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        forward(x, &context, adding: nil, relu: false)
    }

    /// `max(BN(x) + residual, 0)` (or without the residual / the ReLU) in one pass over memory instead
    /// of three: what a residual block does after each of its convolutions. `backward` is unchanged:
    /// it needs only `x`, and the caller masks dOutput by the ReLU's output as before.
    public func forward(_ x: Tensor, _ context: inout ForwardContext, adding residual: Tensor?, relu: Bool) -> Tensor {
        precondition(residual == nil || residual!.shape == x.shape, "\(name): residual shape differs from the input's")
        let m = x.count / channels
        var scale = [Float](repeating: 0, count: channels), shift = scale
        if context.training {
            mean = [Float](repeating: 0, count: channels)
            invStd = mean
            var unbiasedVar = mean
            x.withPointer { xp in
                let box = UnsafeSendableBox((xp, mean.withUnsafeMutableBufferPointer { $0.baseAddress! },
                                             invStd.withUnsafeMutableBufferPointer { $0.baseAddress! },
                                             unbiasedVar.withUnsafeMutableBufferPointer { $0.baseAddress! }))
                Parallel.forEach(channels) { c in
                    let (xp, mp, sp, vp) = box.value
                    let mu = Reduce.sum(xp + c * m, m) / Float(m)
                    let ssd = Reduce.sumSquaredDeviation(xp + c * m, m, mean: mu)
                    mp[c] = mu
                    sp[c] = 1 / (ssd / Float(m) + eps).squareRoot()
                    vp[c] = ssd / Float(max(m - 1, 1))
                }
            }
            for c in 0..<channels {
                scale[c] = weight.value.storage[c] * invStd[c]
                shift[c] = bias.value.storage[c] - mean[c] * scale[c]
                runningMean.value.storage[c] = (1 - momentum) * runningMean.value.storage[c] + momentum * mean[c]
                runningVar.value.storage[c] = (1 - momentum) * runningVar.value.storage[c] + momentum * unbiasedVar[c]
            }
            numBatchesTracked.value.storage[0] += 1
        } else {
            mean = runningMean.value.storage
            invStd = runningVar.value.storage.map { 1 / ($0 + eps).squareRoot() }
            for c in 0..<channels {
                scale[c] = weight.value.storage[c] * invStd[c]
                shift[c] = bias.value.storage[c] - mean[c] * scale[c]
            }
        }
        input = context.recordForBackward ? x : nil
        recordedTraining = context.training
        return Tensor(shape: x.shape) { y in
            x.withPointer { xp in
                withOptionalPointer(residual) { rp in
                    let box = UnsafeSendableBox((xp, y, rp))
                    Parallel.forEach(channels) { c in
                        let (xp, y, rp) = box.value
                        Affine.apply(xp + c * m, count: m, scale: scale[c], shift: shift[c], adding: rp.map { $0 + c * m },
                                    relu: relu, into: y + c * m)
                    }
                }
            }
        }
    }

    /// Uses the statistics of the recorded forward: batch statistics in training mode (gradient
    /// flows through mean and variance), running statistics otherwise (a per-channel affine map).
    public func backward(_ dOutput: Tensor, _ context: BackwardContext) -> Tensor? {
        backward(dOutput, context, maskedBy: nil)
    }

    /// This layer in inference mode as the epilogue of the convolution below it:
    /// `y·(weight/√(running_var+eps)) + (bias − running_mean·scale)`, then `residual` and ReLU.
    /// Only for a forward that records nothing (backward needs this layer's own input).
    public func inferenceEpilogue(adding residual: Tensor? = nil, relu: Bool) -> ConvolutionEpilogue {
        var scale = [Float](repeating: 0, count: channels), shift = scale
        for c in 0..<channels {
            scale[c] = weight.value.storage[c] / (runningVar.value.storage[c] + eps).squareRoot()
            shift[c] = bias.value.storage[c] - runningMean.value.storage[c] * scale[c]
        }
        input = nil
        return ConvolutionEpilogue(scale: scale, shift: shift, residual: residual, relu: relu)
    }

    /// The backward of BatchNorm followed by ReLU in one pass less: `dOutput` is the ReLU's output
    /// gradient and `reluOutput` its recorded output; dOutput counts only where reluOutput > 0.
    public func backward(_ dOutput: Tensor, _ context: BackwardContext, maskedBy reluOutput: Tensor?) -> Tensor? {
        guard let x = input else { preconditionFailure("\(name): backward without a recorded forward") }
        precondition(reluOutput == nil || reluOutput!.shape == dOutput.shape, "\(name): mask shape differs from dOutput's")
        let m = x.count / channels
        let batchStats = recordedTraining
        var sumDy = [Float](repeating: 0, count: channels), sumDyXhat = sumDy
        x.withPointer { xp in dOutput.withPointer { dyp in withOptionalPointer(reluOutput) { yp in
            let box = UnsafeSendableBox((xp, dyp, yp, sumDy.withUnsafeMutableBufferPointer { $0.baseAddress! },
                                         sumDyXhat.withUnsafeMutableBufferPointer { $0.baseAddress! }))
            Parallel.forEach(channels) { c in
                let (xp, dyp, yp, sd, sdx) = box.value
                let (xs, dys, ys, mu) = (xp + c * m, dyp + c * m, yp.map { $0 + c * m }, mean[c])
                var acc = SIMD8<Float>(repeating: 0), accX = acc
                let mv = SIMD8<Float>(repeating: mu)
                var i = 0
                while i + 8 <= m {
                    let d = Self.maskedGradient(dys, ys, at: i)
                    acc += d
                    accX += d * (UnsafeRawPointer(xs + i).loadUnaligned(as: SIMD8<Float>.self) - mv)
                    i += 8
                }
                var s = acc.sum(), sx = accX.sum()
                while i < m {
                    let d = ys.map { $0[i] > 0 ? dys[i] : 0 } ?? dys[i]
                    s += d
                    sx += d * (xs[i] - mu)
                    i += 1
                }
                sd[c] = s
                sdx[c] = sx * invStd[c]
            }
        } } }
        weight.grad = weight.trainable ? Tensor(shape: [channels], storage: sumDyXhat) : nil
        bias.grad = bias.trainable ? Tensor(shape: [channels], storage: sumDy) : nil
        input = nil
        guard context.needsInputGradient else { return nil }
        // dx = a·dy + b·x + c0 per channel.
        var a = [Float](repeating: 0, count: channels), b = a, c0 = a
        for c in 0..<channels {
            let gi = weight.value.storage[c] * invStd[c]
            a[c] = gi
            if batchStats {
                b[c] = -gi * invStd[c] * sumDyXhat[c] / Float(m)
                c0[c] = -gi * sumDy[c] / Float(m) - b[c] * mean[c]
            }
        }
        return Tensor(shape: x.shape) { dx in
            x.withPointer { xp in dOutput.withPointer { dyp in withOptionalPointer(reluOutput) { yp in
                let box = UnsafeSendableBox((xp, dyp, yp, dx))
                Parallel.forEach(channels) { c in
                    let (xp, dyp, yp, dx) = box.value
                    let (xs, dys, ys, out) = (xp + c * m, dyp + c * m, yp.map { $0 + c * m }, dx + c * m)
                    let (ac, bc, cc) = (a[c], b[c], c0[c])
                    let (av, bv, cv) = (SIMD8<Float>(repeating: ac), SIMD8<Float>(repeating: bc), SIMD8<Float>(repeating: cc))
                    var i = 0
                    while i + 8 <= m {
                        let v = av * Self.maskedGradient(dys, ys, at: i)
                            + bv * UnsafeRawPointer(xs + i).loadUnaligned(as: SIMD8<Float>.self) + cv
                        UnsafeMutableRawPointer(out + i).storeBytes(of: v, as: SIMD8<Float>.self)
                        i += 8
                    }
                    while i < m {
                        out[i] = ac * (ys.map { $0[i] > 0 ? dys[i] : 0 } ?? dys[i]) + bc * xs[i] + cc
                        i += 1
                    }
                }
            } } }
        }
    }

    /// Eight lanes of dY from `i`, zeroed where the ReLU output (if any) is not positive.
    @inline(__always)
    private static func maskedGradient(_ dy: UnsafePointer<Float>, _ reluOutput: UnsafePointer<Float>?, at i: Int) -> SIMD8<Float> {
        let d = UnsafeRawPointer(dy + i).loadUnaligned(as: SIMD8<Float>.self)
        guard let reluOutput else { return d }
        let y = UnsafeRawPointer(reluOutput + i).loadUnaligned(as: SIMD8<Float>.self)
        return SIMD8<Float>(repeating: 0).replacing(with: d, where: y .> SIMD8<Float>(repeating: 0))
    }
}
