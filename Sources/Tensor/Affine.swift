/// The per-channel affine step of an inference-mode BatchNorm and of a convolution's epilogue.
public enum Affine {
    /// `dst = src·a + b (+ residual)`, then `max(·, 0)` if `relu`; eight lanes at a time. `dst` may
    /// be `src` (in place).
    public static func apply(_ src: UnsafePointer<Float>, count m: Int, scale a: Float, shift b: Float,
                             adding residual: UnsafePointer<Float>?, relu: Bool, into dst: UnsafeMutablePointer<Float>) {
        let (av, bv, zero) = (SIMD8<Float>(repeating: a), SIMD8<Float>(repeating: b), SIMD8<Float>(repeating: 0))
        var i = 0
        while i + 8 <= m {
            var v = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self) * av + bv
            if let residual { v += UnsafeRawPointer(residual + i).loadUnaligned(as: SIMD8<Float>.self) }
            if relu { v = v.replacing(with: zero, where: v .< zero) }
            UnsafeMutableRawPointer(dst + i).storeBytes(of: v, as: SIMD8<Float>.self)
            i += 8
        }
        while i < m {
            var v = src[i] * a + b
            if let residual { v += residual[i] }
            dst[i] = relu ? (v < 0 ? 0 : v) : v
            i += 1
        }
    }
}
