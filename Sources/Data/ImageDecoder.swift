import CJPEG
import CPNG

/// PNG and JPEG decoding through Debian's libpng (simplified API) and libjpeg-turbo. The format
/// is sniffed from the bytes, not the file name. Every mode decodes to 8-bit gray or RGB as
/// Pillow's `convert` would: gray, gray+alpha, RGB, RGBA (alpha dropped), palette and 16-bit PNGs
/// (libpng expands and reduces them), gray, RGB, CMYK and YCCK JPEGs (Adobe-inverted CMYK,
/// Pillow's formula); an EXIF orientation (JPEG APP1, PNG eXIf) is applied. Every failure is a `DataError` naming `path`:
/// `.notAnImage` (neither signature), `.truncatedImage` (data ends early), `.corruptImage`.
public enum ImageDecoder {
    /// Images above this many pixels are rejected before allocation (decompression bombs);
    /// `ImageFileLimits.maxPixels` can lower it.
    public static let maxPixels = ImageFileLimits.default.maxPixels

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    static let jpegSignature: [UInt8] = [0xFF, 0xD8, 0xFF]

    public enum Format: String, Sendable { case png, jpeg }

    public static func sniff(_ bytes: [UInt8]) -> Format? {
        if bytes.starts(with: pngSignature) { return .png }
        if bytes.starts(with: jpegSignature) { return .jpeg }
        return nil
    }

    /// Decodes to `channels` (1 or 3; nil keeps the file's own: 1 for gray, else 3).
    /// The header's pixel count is checked against `limits` before the decoder allocates.
    public static func decode(_ bytes: [UInt8], channels: Int? = nil, path: String?,
                              limits: ImageFileLimits = .default) throws(DataError) -> DecodedImage {
        guard !bytes.isEmpty else { throw DataError(.truncatedImage, path: path, "file is empty") }
        try checkHeader(bytes, path: path, maxPixels: min(limits.maxPixels, maxPixels))
        let image: DecodedImage
        switch sniff(bytes) {
        case .png: image = try decodePNG(bytes, path: path)
        case .jpeg: image = try decodeJPEG(bytes, wantGray: channels == 1, path: path)
        case nil:
            if pngSignature.starts(with: bytes) || jpegSignature.starts(with: bytes) {
                throw DataError(.truncatedImage, path: path, "file ends inside the \(bytes.count)-byte image signature")
            }
            let head = bytes.prefix(4).map { String($0, radix: 16) }.joined(separator: " ")
            throw DataError(.notAnImage, path: path, "not a PNG or JPEG file (starts with \(head))")
        }
        let upright = ExifOrientation.read(bytes).map { image.oriented($0) } ?? image
        return upright.converted(toChannels: channels ?? upright.channels)
    }

    /// Refuses an image whose header promises more than `maxPixels`, naming its decoded size.
    static func checkHeader(_ bytes: [UInt8], path: String?, maxPixels: Int) throws(DataError) {
        guard let header = ImageHeader.read(bytes) else { return }
        let (pixels, overflow) = header.width.multipliedReportingOverflow(by: header.height)
        guard overflow || pixels > maxPixels else { return }
        let megabytes = Double(header.decodedBytes) / 1_048_576
        throw DataError(.tooLarge, path: path, "\(header.width)x\(header.height) pixels (\(Int(megabytes.rounded(.up))) MiB decoded) "
                        + "exceeds the \(maxPixels / 1_000_000)-megapixel limit")
    }

    static func decodePNG(_ bytes: [UInt8], path: String?) throws(DataError) -> DecodedImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        let begun = bytes.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard begun != 0 else { throw pngError(&image, path: path) }
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width * height <= maxPixels else {
            throw DataError(.corruptImage, path: path, "\(width)x\(height) pixels exceeds the 100-megapixel limit")
        }
        let color = image.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
        let alpha = image.format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0
        // 16-bit files without gAMA are taken as sRGB (as PIL does), not linear, so they are not brightened.
        image.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
        image.format = (color ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0) | (alpha ? UInt32(PNG_FORMAT_FLAG_ALPHA) : 0)
        let stored = (color ? 3 : 1) + (alpha ? 1 : 0)
        var buffer = [UInt8](repeating: 0, count: width * height * stored)
        let finished = buffer.withUnsafeMutableBytes {
            png_image_finish_read(&image, nil, $0.baseAddress, Int32(width * stored), nil)
        }
        guard finished != 0 else { throw pngError(&image, path: path) }
        let channels = color ? 3 : 1
        if alpha {
            var stripped = [UInt8](repeating: 0, count: width * height * channels)
            for i in 0..<(width * height) { for c in 0..<channels { stripped[i * channels + c] = buffer[i * stored + c] } }
            buffer = stripped
        }
        return DecodedImage(width: width, height: height, channels: channels, pixels: buffer)
    }

    private static func pngError(_ image: inout png_image, path: String?) -> DataError {
        let message = withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        let lower = message.lowercased()
        let truncated = ["not enough", "end of", "read beyond", "truncated", "unexpected end"].contains { lower.contains($0) }
        return DataError(truncated ? .truncatedImage : .corruptImage, path: path, "PNG: \(message)")
    }

    static func decodeJPEG(_ bytes: [UInt8], wantGray: Bool, path: String?) throws(DataError) -> DecodedImage {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var width: Int32 = 0, height: Int32 = 0, channels: Int32 = 0
        var message = [CChar](repeating: 0, count: Int(JMSG_LENGTH_MAX))
        let status = bytes.withUnsafeBufferPointer { input in
            thaw_jpeg_decode(input.baseAddress, UInt(input.count), wantGray ? 1 : 0, &out, &width, &height, &channels, &message)
        }
        defer { free(out) }
        let text = string(fromCString: message)
        switch Int(status) {
        case THAW_JPEG_OK:
            let count = Int(width) * Int(height) * Int(channels)
            let pixels = Array(UnsafeBufferPointer(start: out, count: count))
            return DecodedImage(width: Int(width), height: Int(height), channels: Int(channels), pixels: pixels)
        case THAW_JPEG_TRUNCATED:
            throw DataError(.truncatedImage, path: path, "JPEG data ends early: \(text)")
        default:
            throw DataError(.corruptImage, path: path, "JPEG: \(text)")
        }
    }

    /// Reads `path`, decodes it to `channels`, resizes and center-crops it to `height`x`width`:
    /// the planar (CHW) bytes of one model input. `ImageFolder` and single-image prediction share it.
    /// `cropFraction` below 1 resizes the short side to `max(height, width) / cropFraction` first
    /// (torchvision's evaluation convention, see `ImageResizer.resizeShortSideAndCenterCrop`).
    public static func loadForModel(path: String, channels: Int, height: Int, width: Int, cropFraction: Double = 1,
                                    limits: ImageFileLimits = .default) throws(DataError) -> [UInt8] {
        let bytes = try FileBytes.read(path, maxBytes: limits.maxFileBytes)
        let image = try decode(bytes, channels: channels, path: path, limits: limits)
        return ImageResizer.resizeShortSideAndCenterCrop(image, height: height, width: width, cropFraction: cropFraction).planar()
    }

    /// Reads `path`, decodes it to `channels` and squeezes the whole photo into `frame` (aspect not
    /// kept): the planar bytes of one `PhotoFrames` entry, with the photo's own size.
    public static func loadFrame(path: String, channels: Int, frame: PhotoSize,
                                 limits: ImageFileLimits = .default) throws(DataError) -> (pixels: [UInt8], size: PhotoSize) {
        let bytes = try FileBytes.read(path, maxBytes: limits.maxFileBytes)
        let image = try decode(bytes, channels: channels, path: path, limits: limits)
        let size = PhotoSize(height: image.height, width: image.width)
        let squeezed = image.height == frame.height && image.width == frame.width
            ? image : ImageResizer.resize(image, height: frame.height, width: frame.width)
        return (squeezed.planar(), size)
    }

    static func string(fromCString chars: [CChar]) -> String {
        String(decoding: chars.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
