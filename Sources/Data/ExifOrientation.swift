/// The EXIF orientation tag (0x0112) of a JPEG (APP1 `Exif`) or PNG (`eXIf` chunk): how the stored
/// pixels must be turned to appear upright, as cameras write it instead of rotating the pixels.
/// Values 1...8 as in the TIFF spec; `ImageDecoder` applies them, so a portrait photo taken with
/// the phone held upright trains upright (Pillow's `ImageOps.exif_transpose` convention).
public enum ExifOrientation {
    /// The orientation, or nil when the file has none (or an unreadable one: then it is ignored,
    /// as viewers do, rather than failing the image).
    static func read(_ bytes: [UInt8]) -> Int? {
        switch ImageDecoder.sniff(bytes) {
        case .jpeg: return jpegTIFF(bytes).flatMap { tiffOrientation(bytes, start: $0.start, end: $0.end) }
        case .png: return pngTIFF(bytes).flatMap { tiffOrientation(bytes, start: $0.start, end: $0.end) }
        case nil: return nil
        }
    }

    /// The TIFF block of the first APP1 segment starting `Exif\0\0`, before the first scan.
    static func jpegTIFF(_ b: [UInt8]) -> (start: Int, end: Int)? {
        var i = 2
        while i + 4 <= b.count, b[i] == 0xFF {
            let marker = b[i + 1]
            if marker == 0xDA || marker == 0xD9 { return nil }
            if marker == 0x01 || (0xD0...0xD7).contains(marker) || marker == 0xFF { i += marker == 0xFF ? 1 : 2; continue }
            let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
            guard length >= 2, i + 2 + length <= b.count else { return nil }
            let body = i + 4
            if marker == 0xE1, length >= 8, Array(b[body..<(body + 6)]) == [0x45, 0x78, 0x69, 0x66, 0, 0] {
                return (body + 6, i + 2 + length)
            }
            i += 2 + length
        }
        return nil
    }

    /// The data of the `eXIf` chunk (a bare TIFF block), before the first IDAT.
    static func pngTIFF(_ b: [UInt8]) -> (start: Int, end: Int)? {
        var i = 8
        while i + 8 <= b.count {
            let length = Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
            let type = Array(b[(i + 4)..<(i + 8)])
            guard length >= 0, i + 12 + length <= b.count else { return nil }
            if type == Array("eXIf".utf8) { return (i + 8, i + 8 + length) }
            if type == Array("IDAT".utf8) || type == Array("IEND".utf8) { return nil }
            i += 12 + length
        }
        return nil
    }

    /// Reads tag 0x0112 (SHORT) of IFD0 of the TIFF block in `b[start..<end]`, either byte order.
    static func tiffOrientation(_ b: [UInt8], start: Int, end: Int) -> Int? {
        guard end - start >= 8 else { return nil }
        let little: Bool
        switch (b[start], b[start + 1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ o: Int) -> Int? {
            guard o >= start, o + 2 <= end else { return nil }
            return little ? Int(b[o]) | Int(b[o + 1]) << 8 : Int(b[o]) << 8 | Int(b[o + 1])
        }
        func u32(_ o: Int) -> Int? {
            guard let lo = u16(little ? o : o + 2), let hi = u16(little ? o + 2 : o) else { return nil }
            return hi << 16 | lo
        }
        guard u16(start + 2) == 42, let ifd = u32(start + 4), let count = u16(start + ifd) else { return nil }
        for k in 0..<min(count, 1000) {
            let entry = start + ifd + 2 + 12 * k
            guard let tag = u16(entry) else { return nil }
            if tag == 0x0112 {
                guard u16(entry + 2) == 3, let value = u16(entry + 8), (1...8).contains(value) else { return nil }
                return value
            }
        }
        return nil
    }
}

extension DecodedImage {
    /// The image turned upright for EXIF `orientation` (1 = as stored; 2 mirror; 3 rotate 180;
    /// 4 flip vertically; 5 transpose; 6 rotate 90° clockwise; 7 transverse; 8 rotate 90°
    /// counter-clockwise). Orientations 5–8 swap width and height.
    public func oriented(_ orientation: Int) -> DecodedImage {
        guard (2...8).contains(orientation) else { return self }
        let swaps = orientation >= 5
        let ow = swaps ? height : width, oh = swaps ? width : height
        let c = channels
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<oh {
                    for x in 0..<ow {
                        // Source pixel (sx, sy) shown at output (x, y).
                        let sx: Int, sy: Int
                        switch orientation {
                        case 2: (sx, sy) = (width - 1 - x, y)
                        case 3: (sx, sy) = (width - 1 - x, height - 1 - y)
                        case 4: (sx, sy) = (x, height - 1 - y)
                        case 5: (sx, sy) = (y, x)
                        case 6: (sx, sy) = (y, height - 1 - x)
                        case 7: (sx, sy) = (width - 1 - y, height - 1 - x)
                        default: (sx, sy) = (width - 1 - y, x)  // 8
                        }
                        let from = (sy * width + sx) * c, to = (y * ow + x) * c
                        for ch in 0..<c { dst[to + ch] = src[from + ch] }
                    }
                }
            }
        }
        return DecodedImage(width: ow, height: oh, channels: c, pixels: out)
    }
}
