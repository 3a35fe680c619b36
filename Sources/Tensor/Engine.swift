import BLAS

/// How the engine runs, passed in by whoever runs it (a training run, a benchmark) instead of set
/// process-wide: a run on one worker thread cannot change the split, and so the results, of a run
/// on another.
public struct Engine: Sendable, Equatable {
    /// Workers for the engine's parallel loops (the calling thread plus helpers); at least 1.
    /// Results are deterministic for a given count (`Parallel`).
    public var threads: Int

    public init(threads: Int = 1) {
        self.threads = max(1, threads)
    }

    /// Runs `body` with this engine: every layer and kernel called inside it, on this thread and on
    /// the helper threads it fans out to, splits its work over `threads` workers. Nothing stays set
    /// after `body` returns.
    public func run<R>(_ body: () throws -> R) rethrows -> R {
        _ = Engine.singleThreadedBLAS
        return try Parallel.$taskThreads.withValue(threads) { try body() }
    }

    /// OpenBLAS's pool is process-wide by nature: pinned to one thread once (the engine's workers do
    /// the threading), and never resized afterwards, which is unsafe while another thread is in sgemm.
    private static let singleThreadedBLAS: Void = {
        if BLAS.threads != 1 { BLAS.threads = 1 }
    }()
}
