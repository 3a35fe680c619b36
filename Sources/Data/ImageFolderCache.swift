import OpenSSL

/// The compact binary cache of a decoded image folder, so later epochs and jobs read tensors, not
/// JPEGs. One file per (files, sizes, mtimes, output shape), named after that key's digest.
///
/// Layout, little-endian: magic `THAWIMGC`, UInt32 version, 32-byte key, UInt32 channels, height,
/// width, count, class count; class names and skipped files as UInt32-length-prefixed UTF-8;
/// `count` UInt32 labels; `count*C*H*W` pixel bytes (NCHW); for whole-photo frames only, each
/// photo's own height and width as two UInt32s; SHA-256 of everything before it.
/// Any mismatch (magic, version, key, checksum, size) makes the reader return nil: a damaged or
/// stale cache is rebuilt, never trusted.
enum ImageFolderCache {
    static let magic = Array("THAWIMGC".utf8)
    /// 2: CMYK/YCCK JPEGs decode (were skipped) and EXIF orientation is applied, so version-1
    /// caches of the same files hold other pixels and are rebuilt.
    static let version: UInt32 = 2

    struct Entry: Sendable, Equatable {
        var images: LabeledImages
        /// Files that failed to decode when the cache was built (listing problems are not cached).
        var skipped: [SkippedFile]
        /// For whole-photo frames (`PhotoFrames`), each image's photo size; nil for model-sized crops.
        var photoSizes: [PhotoSize]? = nil
    }

    /// Digest over the output shape (and crop fraction, when not 1, or whole-photo frames: older
    /// caches stay valid) and every image file's path, size and mtime, in load order.
    static func key(files: [(path: String, stat: FileBytes.Stat)], channels: Int, height: Int, width: Int,
                    cropFraction: Double = 1, frames: Bool = false) -> [UInt8] {
        var hasher = SHA256()
        let fit = frames ? " frames" : cropFraction == 1 ? "" : " crop \(cropFraction)"
        hasher.update(Array("thaw-imagefolder-v\(version) \(channels)x\(height)x\(width)\(fit)\n".utf8))
        for file in files {
            hasher.update(Array("\(file.path)\u{0}\(file.stat.size)\u{0}\(file.stat.mtimeNanoseconds)\n".utf8))
        }
        return hasher.finalize()
    }

    static func fileName(key: [UInt8]) -> String {
        "imagefolder-\(SHA256.hexString(Array(key.prefix(12)))).thawcache"
    }

    static func encode(_ entry: Entry, key: [UInt8]) -> [UInt8] {
        let im = entry.images
        var out = magic
        out.reserveCapacity(im.pixels.count + im.count * 4 + 4096)
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out += $0 } }
        func string(_ s: String) { let b = Array(s.utf8); u32(b.count); out += b }
        u32(Int(version))
        out += key
        for v in [im.channels, im.height, im.width, im.count, im.classNames.count] { u32(v) }
        im.classNames.forEach(string)
        u32(entry.skipped.count)
        for s in entry.skipped { string(s.path); string(s.kind.rawValue); string(s.reason) }
        for l in im.labels { u32(l) }
        out += im.pixels
        for size in entry.photoSizes ?? [] { u32(size.height); u32(size.width) }
        var hasher = SHA256()
        hasher.update(out)
        out += hasher.finalize()
        return out
    }

    /// Why a cache file was not used (the log line says it); every case is a miss, never data.
    enum Rejection: Error, Equatable, CustomStringConvertible {
        case notACache
        /// The SHA-256 recorded when it was written does not match its contents (a torn or damaged copy).
        case checksumMismatch
        case otherVersion(Int?)
        /// Built for other files, sizes, mtimes or output shape (only on a file-name collision).
        case otherKey
        case malformed

        var description: String {
            switch self {
            case .notACache: "not a thaw image cache (too short or wrong magic)"
            case .checksumMismatch: "SHA-256 mismatch: the contents are not what was written"
            case .otherVersion(let v): "cache format version \(v.map(String.init) ?? "?"), this build reads \(ImageFolderCache.version)"
            case .otherKey: "built for other image files or another output shape"
            case .malformed: "malformed contents behind a matching checksum"
            }
        }
    }

    /// The entry if `bytes` is an intact cache for `key`: its trailing SHA-256 (recorded by `encode`)
    /// checked over everything before it first, then the version, key and layout.
    static func verify(_ bytes: [UInt8], key: [UInt8]) -> Result<Entry, Rejection> {
        guard bytes.count >= magic.count + 4 + 32 + 32, bytes.starts(with: magic) else { return .failure(.notACache) }
        let body = bytes.count - 32
        var hasher = SHA256()
        bytes.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<body])) }
        guard hasher.finalize() == Array(bytes[body...]) else { return .failure(.checksumMismatch) }
        var reader = Reader(bytes: bytes, offset: magic.count, end: body)
        let fileVersion = reader.u32()
        guard fileVersion == Int(version) else { return .failure(.otherVersion(fileVersion)) }
        guard reader.take(32) == key else { return .failure(.otherKey) }
        guard let entry = parse(&reader, body: body) else { return .failure(.malformed) }
        return .success(entry)
    }

    private static func parse(_ reader: inout Reader, body: Int) -> Entry? {
        guard let c = reader.u32(), let h = reader.u32(), let w = reader.u32(), let n = reader.u32(),
              let classCount = reader.u32() else { return nil }
        var names = [String]()
        for _ in 0..<classCount { guard let s = reader.string() else { return nil }; names.append(s) }
        guard let skippedCount = reader.u32() else { return nil }
        var skipped = [SkippedFile]()
        for _ in 0..<skippedCount {
            guard let p = reader.string(), let k = reader.string().flatMap(DataError.Kind.init(rawValue:)),
                  let r = reader.string() else { return nil }
            skipped.append(SkippedFile(path: p, kind: k, reason: r))
        }
        var labels = [Int]()
        labels.reserveCapacity(n)
        for _ in 0..<n { guard let l = reader.u32() else { return nil }; labels.append(l) }
        guard let pixels = reader.take(n * c * h * w) else { return nil }
        var sizes: [PhotoSize]?
        if reader.offset < body {
            var read = [PhotoSize]()
            for _ in 0..<n {
                guard let ph = reader.u32(), let pw = reader.u32(), ph > 0, pw > 0 else { return nil }
                read.append(PhotoSize(height: ph, width: pw))
            }
            sizes = read
        }
        guard reader.offset == body else { return nil }
        let images = LabeledImages(count: n, channels: c, height: h, width: w, pixels: pixels, labels: labels, classNames: names)
        guard (try? images.validate()) != nil else { return nil }
        return Entry(images: images, skipped: skipped, photoSizes: sizes)
    }

    /// Bounds-checked cursor; every read returns nil past `end`.
    private struct Reader {
        let bytes: [UInt8]
        var offset: Int
        let end: Int

        mutating func take(_ n: Int) -> [UInt8]? {
            guard n >= 0, offset + n <= end else { return nil }
            defer { offset += n }
            return Array(bytes[offset..<(offset + n)])
        }

        mutating func u32() -> Int? {
            guard offset + 4 <= end else { return nil }
            defer { offset += 4 }
            return Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24
        }

        mutating func string() -> String? {
            guard let n = u32(), n <= 1 << 16, let b = take(n) else { return nil }
            return String(decoding: b, as: UTF8.self)
        }
    }
}
