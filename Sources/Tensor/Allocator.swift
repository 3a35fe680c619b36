/// Process-wide allocator tuning for training loops. Every step allocates and frees the same
/// multi-megabyte activation buffers; glibc serves those with fresh mmaps by default, so each
/// step pays page faults and kernel zeroing for memory it just gave back. Keeping large blocks
/// in the heap (and not trimming it) recycles them instead. Call once at process start
/// (thaw-bench, thawd); a no-op off glibc.
public enum Allocator {
    public static func keepLargeBlocks() {
        #if os(Linux)
        _ = glibcMallopt(-3, 1 << 30)  // M_MMAP_THRESHOLD
        _ = glibcMallopt(-1, 1 << 30)  // M_TRIM_THRESHOLD
        #endif
    }
}

#if os(Linux)
/// `int mallopt(int, int)` from <malloc.h>, which the Glibc module does not export.
@_silgen_name("mallopt")
private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
#endif
