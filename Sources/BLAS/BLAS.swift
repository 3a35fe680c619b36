import CBLAS

/// Thin Swift face of OpenBLAS. Everything in Thaw that multiplies matrices goes through here, so
/// the C API (and its row-major/transpose conventions) lives in one file.
public enum BLAS {
    /// Number of threads OpenBLAS uses for the calling process.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }

    /// Row-major single-precision GEMM: `C = alpha * op(A) * op(B) + beta * C`.
    /// - `A` is `m x k` after `op`, `B` is `k x n` after `op`, `C` is `m x n`.
    /// - `lda`, `ldb`, `ldc` are the row strides of the stored (un-transposed) matrices.
    @inlinable
    public static func sgemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor,
            transA ? CblasTrans : CblasNoTrans,
            transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// `y = alpha * x + y` over `n` floats.
    @inlinable
    public static func saxpy(n: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(Int32(n), alpha, x, 1, y, 1)
    }
}
