/// Process-wide allocator tuning for training loops. Every step allocates and frees the same
/// multi-megabyte activation buffers; glibc serves those with fresh mmaps by default, so each
/// step pays page faults and kernel zeroing for memory it just gave back. Keeping large blocks
/// in the heap (and not trimming it) recycles them instead. Call once at process start, before
/// any thread (thaw-bench, thawd); a no-op off glibc.
public enum Allocator {
    public static func keepLargeBlocks() {
        #if os(Linux)
        _ = glibcMallopt(-3, 1 << 30)  // M_MMAP_THRESHOLD
        _ = glibcMallopt(-1, 1 << 30)  // M_TRIM_THRESHOLD
        // M_ARENA_MAX 1: every thread allocates from the main heap. A thread's own arena grows in
        // heaps of at most 64 MiB, so the 100 MiB activations of a ResNet step on a worker thread
        // (thawd trains off the main thread) would still be fresh mmaps each step: 9% of a
        // resnet18 job's time went to page faults (docs/benchmarks.md, "A job beside the engine").
        _ = glibcMallopt(-8, 1)
        #endif
    }

    /// Returns the heap's free memory to the system (`malloc_trim`): after a job, so an idle
    /// daemon does not keep its last job's peak. `keepLargeBlocks` turned automatic trimming off.
    public static func releaseFreeMemory() {
        #if os(Linux)
        _ = glibcMallocTrim(0)
        #endif
    }
}

#if os(Linux)
/// `int mallopt(int, int)` and `int malloc_trim(size_t)` from <malloc.h>, which the Glibc module
/// does not export.
@_silgen_name("mallopt")
private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
