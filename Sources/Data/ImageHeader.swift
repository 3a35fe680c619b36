/// The size an image will decode to, read from its header alone (PNG IHDR, JPEG SOFn) so the
/// decoded size is known, and checked, before the decoder allocates anything.
struct ImageHeader: Sendable, Equatable {
    var width: Int
    var height: Int
    /// Samples per pixel the file stores (PNG palette counts as 3; JPEG: its component count).
    var components: Int

    /// Bytes of 8-bit decoded pixels: width x height x components.
    var decodedBytes: Int { width.multipliedReportingOverflow(by: height).partialValue * components }

    /// The header of a PNG or JPEG; nil when the bytes end before it or it is malformed (the
    /// decoder then reports the precise error).
    static func read(_ bytes: [UInt8]) -> ImageHeader? {
        switch ImageDecoder.sniff(bytes) {
        case .png: return png(bytes)
        case .jpeg: return jpeg(bytes)
        case nil: return nil
        }
    }

    /// Signature (8), IHDR length (4), "IHDR", width (4, big-endian), height (4), bit depth, colour type.
    static func png(_ b: [UInt8]) -> ImageHeader? {
        guard b.count >= 26, Array(b[12..<16]) == Array("IHDR".utf8) else { return nil }
        let width = be32(b, 16), height = be32(b, 20)
        let components: Int
        switch b[25] {
        case 0: components = 1          // gray
        case 2, 3: components = 3       // RGB, palette
        case 4: components = 2          // gray + alpha
        case 6: components = 4          // RGBA
        default: return nil
        }
        return ImageHeader(width: width, height: height, components: components)
    }

    /// Walks the marker segments after SOI to the first start-of-frame (SOF0...SOF15 but DHT,
    /// JPG and DAC): precision (1), height (2), width (2), components (1).
    static func jpeg(_ b: [UInt8]) -> ImageHeader? {
        var i = 2
        while i + 1 < b.count {
            guard b[i] == 0xFF else { return nil }
            var marker = b[i + 1]
            i += 2
            while marker == 0xFF, i < b.count { marker = b[i]; i += 1 }  // fill bytes
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { continue }  // no length field
            if marker == 0xD9 || marker == 0xDA { return nil }  // end of image / scan before any frame
            guard i + 2 <= b.count else { return nil }
            let length = Int(b[i]) << 8 | Int(b[i + 1])
            guard length >= 2 else { return nil }
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard length >= 8, i + 8 <= b.count else { return nil }
                let height = Int(b[i + 3]) << 8 | Int(b[i + 4]), width = Int(b[i + 5]) << 8 | Int(b[i + 6])
                return ImageHeader(width: width, height: height, components: Int(b[i + 7]))
            }
            i += length
        }
        return nil
    }

    private static func be32(_ b: [UInt8], _ o: Int) -> Int {
        Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3])
    }
}
