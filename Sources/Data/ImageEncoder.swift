import CJPEG
import CPNG

/// PNG and JPEG encoding with the same libraries the decoder uses; tests write their fixtures with
/// it, so decoding is checked against real library output rather than hand-made bytes.
public enum ImageEncoder {
    /// 8-bit gray (1), gray+alpha (2), RGB (3) or RGBA (4), HWC.
    public static func png(_ pixels: [UInt8], width: Int, height: Int, channels: Int) throws(DataError) -> [UInt8] {
        guard [1, 2, 3, 4].contains(channels), pixels.count == width * height * channels else {
            throw DataError(.shapeMismatch, path: nil, "PNG encode: \(pixels.count) bytes for \(width)x\(height)x\(channels)")
        }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = (channels >= 3 ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0) | (channels % 2 == 0 ? UInt32(PNG_FORMAT_FLAG_ALPHA) : 0)
        var size = 0
        let stride = Int32(width * channels)
        // First call with no buffer asks for the size.
        _ = pixels.withUnsafeBytes { png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, stride, nil) }
        var out = [UInt8](repeating: 0, count: size)
        let ok = out.withUnsafeMutableBytes { dst in
            pixels.withUnsafeBytes { png_image_write_to_memory(&image, dst.baseAddress, &size, 0, $0.baseAddress, stride, nil) }
        }
        guard ok != 0 else { throw DataError(.corruptImage, path: nil, "PNG encode failed") }
        return Array(out.prefix(size))
    }

    /// 8-bit gray (1), RGB (3) or CMYK samples as stored (4: Adobe's inverted convention, written
    /// as CMYK or, with `ycck`, YCCK), HWC, baseline JPEG at `quality` (1–100).
    public static func jpeg(_ pixels: [UInt8], width: Int, height: Int, channels: Int, quality: Int = 95,
                            ycck: Bool = false) throws(DataError) -> [UInt8] {
        guard [1, 3, 4].contains(channels), pixels.count == width * height * channels else {
            throw DataError(.shapeMismatch, path: nil, "JPEG encode: \(pixels.count) bytes for \(width)x\(height)x\(channels)")
        }
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        var message = [CChar](repeating: 0, count: Int(JMSG_LENGTH_MAX))
        let status = pixels.withUnsafeBufferPointer {
            thaw_jpeg_encode($0.baseAddress, Int32(width), Int32(height), Int32(channels), ycck ? 1 : 0, Int32(quality),
                             &out, &size, &message)
        }
        defer { free(out) }
        guard status == THAW_JPEG_OK, let out else {
            throw DataError(.corruptImage, path: nil, "JPEG encode: \(ImageDecoder.string(fromCString: message))")
        }
        return Array(UnsafeBufferPointer(start: out, count: Int(size)))
    }
}
