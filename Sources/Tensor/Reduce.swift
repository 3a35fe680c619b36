/// Fixed-order reductions with eight partial sums: vectorisable, and the same result whatever the
/// thread count, because the order depends only on the length.
public enum Reduce {
    @inlinable
    public static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= n {
            acc += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var s = acc.sum()
        while i < n { s += x[i]; i += 1 }
        return s
    }

    /// Σ (x − mean)².
    @inlinable
    public static func sumSquaredDeviation(_ x: UnsafePointer<Float>, _ n: Int, mean: Float) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        let m = SIMD8<Float>(repeating: mean)
        var i = 0
        while i + 8 <= n {
            let d = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - m
            acc += d * d
            i += 8
        }
        var s = acc.sum()
        while i < n { let d = x[i] - mean; s += d * d; i += 1 }
        return s
    }

    /// Σ a·b.
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= n {
            acc += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var s = acc.sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }
}
