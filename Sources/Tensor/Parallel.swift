import BLAS

/// The engine's parallel loops. The engine does its own threading: convolutions split the batch
/// into blocks small enough to stay in a core's cache and give each worker whole blocks (im2col +
/// a single-threaded sgemm), other loops split their outputs. The workers are the calling thread plus
/// the engine's own sleeping helper threads (`HelperThreads`). OpenBLAS itself runs single-threaded:
/// its pool's threads busy-wait between calls and would fight the engine's workers for the cores.
/// Results depend on the thread count only where a reduction is split per worker (a convolution's
/// weight gradient), and are deterministic for a given count.
///
/// The count is not process-wide state: whoever runs the engine passes it in (`Engine.run`), and it
/// holds for that call only, on the calling thread and the helpers it fans out to.
public enum Parallel {
    /// The worker count bound for the current call (`Engine.run`, or in tests
    /// `Parallel.$taskThreads.withValue(2) { ... }`); nil outside any, which means 1.
    @TaskLocal public static var taskThreads: Int?

    /// Workers for the engine's parallel loops in the current call; 1 outside `Engine.run`.
    public static var threads: Int { max(1, taskThreads ?? 1) }

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
        // Helpers see the caller's count, so a loop nested in a worker splits as it would on the caller.
        let threads = threads
        withoutActuallyEscaping(body) { body in
            let box = UnsafeSendableBox(body)
            let ran = HelperThreads.shared.run(workers: workers) { w in
                if w == 0 { box.value(0) } else { Parallel.$taskThreads.withValue(threads) { box.value(w) } }
            }
            if !ran {
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
