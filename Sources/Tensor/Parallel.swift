import BLAS
import Dispatch

/// The engine's thread budget: OpenBLAS threads for GEMM and the worker count for the non-GEMM
/// loops (im2col, BatchNorm, pooling). Results never depend on how work is split, because every
/// parallel loop gives each output element to exactly one iteration and reduces in a fixed order.
public enum Parallel {
    nonisolated(unsafe) private static var _threads = 1

    /// Threads for both OpenBLAS and `forEach`; default 1. Set once before training.
    /// OpenBLAS is only told when the count really changes: resizing its pool while another thread
    /// (a second worker, a concurrent test) is inside `sgemm` is not safe, and every JobRunner sets it.
    public static var threads: Int {
        get { _threads }
        set {
            _threads = max(1, newValue)
            if BLAS.threads != _threads { BLAS.threads = _threads }
        }
    }

    /// Runs `body(i)` for `i` in `0..<count`, split into contiguous blocks over `threads` workers.
    /// `body` must only write outputs owned by index `i`.
    @inlinable
    public static func forEach(_ count: Int, minimumPerThread: Int = 1, _ body: (Int) -> Void) {
        let workers = min(threads, count / max(1, minimumPerThread))
        if workers <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UnsafeSendableBox(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let lo = count * w / workers, hi = count * (w + 1) / workers
                for i in lo..<hi { box.value(i) }
            }
        }
    }
}

/// Carries pointers (not Sendable) into `Parallel.forEach`; safe because its contract makes
/// iterations write disjoint memory.
public struct UnsafeSendableBox<T>: @unchecked Sendable {
    public let value: T
    @inlinable public init(_ value: T) { self.value = value }
}
