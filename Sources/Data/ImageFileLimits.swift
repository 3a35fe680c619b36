/// What one image file of a folder may cost before anything is allocated for it. Both limits are
/// checked before decoding: the byte size from fstat(2) on the opened file, the pixel count from
/// the PNG IHDR / JPEG SOF header, so neither a sparse terabyte file nor a small decompression
/// bomb reserves memory.
public struct ImageFileLimits: Sendable, Equatable {
    /// Bytes per file. Default 64 MiB (a high-quality 50-megapixel JPEG is ~25 MB).
    public var maxFileBytes: Int
    /// Width x height per image, from its header. Default 100 megapixels (300 MB as RGB).
    public var maxPixels: Int

    public init(maxFileBytes: Int = 64 << 20, maxPixels: Int = 100_000_000) {
        self.maxFileBytes = maxFileBytes
        self.maxPixels = maxPixels
    }

    public static let `default` = ImageFileLimits()
}
