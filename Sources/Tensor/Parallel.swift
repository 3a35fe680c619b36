import BLAS

/// The engine's thread budget. The engine does its own threading: convolutions split the batch
/// into blocks small enough to stay in a core's cache and give each worker whole blocks (im2col +
/// a single-threaded sgemm), other loops split their outputs. The workers are the calling thread plus
/// the engine's own sleeping helper threads (`HelperThreads`). OpenBLAS itself runs single-threaded:
/// its pool's threads busy-wait between calls and would fight the engine's workers for the cores.
/// Results depend on the thread count only where a reduction is split per worker (a convolution's
/// weight gradient), and are deterministic for a given count.
public enum Parallel {
    nonisolated(unsafe) private static var _threads = 1

    /// A thread count for the current task only (tests that need a count no concurrent test can change):
    /// `Parallel.$taskThreads.withValue(2) { ... }`.
    @TaskLocal public static var taskThreads: Int?

    /// Workers for the engine's parallel loops; default 1. Set once before training.
    public static var threads: Int {
        get { taskThreads ?? _threads }
        set {
            _threads = max(1, newValue)
            // Only when it really changes: resizing OpenBLAS's pool while another thread is inside
            // sgemm is not safe, and every JobRunner sets this.
            if BLAS.threads != 1 { BLAS.threads = 1 }
        }
    }

    /// Workers `forEachWorker` will use for `count` items.
    public static func workers(for count: Int) -> Int { max(1, min(threads, count)) }

    /// Splits `0..<count` into `workers(for: count)` contiguous ranges and runs `body(worker, range)`
    /// for each at once; the split depends only on `count` and `threads`.
    @inlinable
    public static func forEachWorker(_ count: Int, _ body: (_ worker: Int, _ range: Range<Int>) -> Void) {
        let workers = workers(for: count)
        if workers <= 1 {
            if count > 0 { body(0, 0..<count) }
            return
        }
        runWorkers(workers) { w in body(w, (count * w / workers)..<(count * (w + 1) / workers)) }
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
        runWorkers(workers) { w in
            for i in (count * w / workers)..<(count * (w + 1) / workers) { body(i) }
        }
    }

    /// Runs `body(w)` for every worker `w` in `0..<workers` at once: the caller is worker 0, the
    /// engine's helper threads the others. If the helpers are busy (another training worker, or a
    /// nested call) the caller runs every `w` itself, in order: the same work, the same results.
    public static func runWorkers(_ workers: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            let box = UnsafeSendableBox(body)
            if !HelperThreads.shared.run(workers: workers, { box.value($0) }) {
                for w in 0..<workers { body(w) }
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
