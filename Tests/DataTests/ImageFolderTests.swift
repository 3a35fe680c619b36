@testable import Data
import Foundation
import Testing

@Suite struct ImageFolderTests {
    /// A solid w x h image of `value` as PNG (gray) or JPEG (RGB), written with libpng / libjpeg.
    static func png(_ value: UInt8, _ w: Int = 10, _ h: Int = 10) -> [UInt8] {
        try! ImageEncoder.png([UInt8](repeating: value, count: w * h), width: w, height: h, channels: 1)
    }

    static func jpeg(_ rgb: [UInt8], _ w: Int = 16, _ h: Int = 16) -> [UInt8] {
        try! ImageEncoder.jpeg((0..<(w * h)).flatMap { _ in rgb }, width: w, height: h, channels: 3)
    }

    /// cat: a.png (10), b.jpg (gray 128), sub/c.jpeg; dog: d.png (200), e.PNG (60, 20x10).
    static func makeFolder() -> TemporaryDirectory {
        let dir = TemporaryDirectory("folder")
        dir.write("cat/a.png", png(10))
        dir.write("cat/b.jpg", jpeg([128, 128, 128]))
        dir.write("cat/sub/c.jpeg", jpeg([255, 0, 0]))
        dir.write("dog/d.png", png(200))
        dir.write("dog/e.PNG", png(60, 20, 10))
        return dir
    }

    @Test func loadsClassesInNameOrderAndImagesInPathOrder() throws {
        let dir = Self.makeFolder()
        let (images, skipped) = try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8)
        #expect(skipped.isEmpty)
        #expect(images.classNames == ["cat", "dog"])
        #expect(images.labels == [0, 0, 0, 1, 1])
        #expect((images.count, images.channels, images.height, images.width) == (5, 1, 8, 8))
        let image = { (i: Int) in Array(images.pixels[(i * 64)..<((i + 1) * 64)]) }
        #expect(image(0).allSatisfy { $0 == 10 })
        #expect(image(1).allSatisfy { abs(Int($0) - 128) <= 2 })
        #expect(image(2).allSatisfy { abs(Int($0) - 76) <= 3 })  // red as luma
        #expect(image(3).allSatisfy { $0 == 200 })
        #expect(image(4).allSatisfy { $0 == 60 })
    }

    @Test func rgbLoadReplicatesGrayAndKeepsColor() throws {
        let dir = Self.makeFolder()
        let (images, _) = try ImageFolder.load(root: dir.path, channels: 3, height: 4, width: 4)
        let size = 3 * 16
        let red = Array(images.pixels[(2 * size)..<(3 * size)])
        #expect(red[0..<16].allSatisfy { $0 > 240 } && red[16..<48].allSatisfy { $0 < 15 })
        #expect(images.pixels[(3 * size)..<(4 * size)].allSatisfy { $0 == 200 })
    }

    @Test func pngBytesNamedJpgAreDecodedByContent() throws {
        let dir = TemporaryDirectory("folder")
        dir.write("a/x.jpg", Self.png(33))
        let (images, _) = try ImageFolder.load(root: dir.path, channels: 1, height: 4, width: 4)
        #expect(images.pixels.allSatisfy { $0 == 33 })
    }

    @Test func secondLoadReadsTheCacheNotTheImages() throws {
        let dir = Self.makeFolder()
        let cache = TemporaryDirectory("cache")
        let (first, _) = try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, cacheDirectory: cache.path)
        let files = try FileManager.default.contentsOfDirectory(atPath: cache.path)
        #expect(files.count == 1 && files[0].hasSuffix(".thawcache"))
        // Same size, same mtime, different content: only a cache hit can still return the old pixels.
        let path = dir.path + "/dog/d.png"
        let stamp = try FileBytes.info(path)
        dir.write("dog/d.png", Self.png(201))
        try setModificationTime(path, nanoseconds: stamp.mtimeNanoseconds)
        #expect(try FileBytes.info(path) == stamp)
        let (second, _) = try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, cacheDirectory: cache.path)
        #expect(second == first)
    }

    /// A cache file whose bytes changed after it was written (a torn copy on a shared mount, a flipped
    /// bit) fails its recorded SHA-256: the load reports it, decodes the images instead (the right
    /// pixels, not the damaged ones) and writes the cache anew, which the next load uses.
    @Test func aCorruptedCacheIsAMissThatIsReportedAndRebuilt() throws {
        let dir = Self.makeFolder()
        let cache = TemporaryDirectory("cache")
        let (first, _) = try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, cacheDirectory: cache.path)
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: cache.path).first)
        let path = cache.path + "/" + name
        let written = try FileBytes.read(path)
        let rejections = Rejections()
        for damage in ["flip", "truncate", "garbage"] {
            var bytes = written
            switch damage {
            case "flip": bytes[bytes.count - 100] ^= 0x40     // a pixel byte
            case "truncate": bytes.removeLast(bytes.count / 3)
            default: bytes = Array(repeating: 7, count: 64)
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let (again, _) = try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, cacheDirectory: cache.path,
                                                  onCacheRejected: { rejections.add($0, $1) })
            #expect(again == first, "\(damage): the images, not the damaged cache")
            #expect(try FileBytes.read(path) == written, "\(damage): the cache was written anew")
        }
        #expect(rejections.all.map(\.path) == [path, path, path])
        #expect(rejections.all.map(\.reason) == [ImageFolderCache.Rejection.checksumMismatch.description,
                                                ImageFolderCache.Rejection.checksumMismatch.description,
                                                ImageFolderCache.Rejection.notACache.description])
        // Intact again: used, and nothing reported.
        let (third, _) = try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, cacheDirectory: cache.path,
                                              onCacheRejected: { rejections.add($0, $1) })
        #expect(third == first && rejections.all.count == 3)
    }

    final class Rejections: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [(path: String, reason: String)] = []
        func add(_ path: String, _ reason: String) { lock.withLock { stored.append((path, reason)) } }
        var all: [(path: String, reason: String)] { lock.withLock { stored } }
    }

    @Test func touchedImageRebuildsTheCache() throws {
        let dir = Self.makeFolder()
        let cache = TemporaryDirectory("cache")
        _ = try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, cacheDirectory: cache.path)
        let path = dir.path + "/dog/d.png"
        let stamp = try FileBytes.info(path)
        dir.write("dog/d.png", Self.png(201))
        try setModificationTime(path, nanoseconds: stamp.mtimeNanoseconds + 1_000_000_000)
        let (images, _) = try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, cacheDirectory: cache.path)
        #expect(images.pixels[(3 * 64)..<(4 * 64)].allSatisfy { $0 == 201 })
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.path).count == 2)
    }

    @Test func addedImageRebuildsTheCache() throws {
        let dir = Self.makeFolder()
        let cache = TemporaryDirectory("cache")
        _ = try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, cacheDirectory: cache.path)
        dir.write("dog/f.png", Self.png(99))
        let (images, _) = try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, cacheDirectory: cache.path)
        #expect(images.count == 6 && images.labels.last == 1)
    }

    @Test func otherInputSizeIsAnotherCacheEntry() throws {
        let dir = Self.makeFolder()
        let cache = TemporaryDirectory("cache")
        _ = try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, cacheDirectory: cache.path)
        let (images, _) = try ImageFolder.load(root: dir.path, channels: 1, height: 6, width: 6, cacheDirectory: cache.path)
        #expect(images.height == 6)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.path).count == 2)
    }

    @Test func corruptCacheFileIsRebuilt() throws {
        let dir = Self.makeFolder()
        let cache = TemporaryDirectory("cache")
        let (first, _) = try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, cacheDirectory: cache.path)
        let name = try FileManager.default.contentsOfDirectory(atPath: cache.path)[0]
        var bytes = try FileBytes.read(cache.path + "/" + name)
        bytes[bytes.count / 2] ^= 0xff
        cache.write(name, bytes)
        let (second, _) = try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, cacheDirectory: cache.path)
        #expect(second == first)
        #expect(try FileBytes.read(cache.path + "/" + name) != bytes)
    }

    @Test func cacheFormatRejectsOtherKeysVersionsAndTruncation() throws {
        let images = Fixtures.balanced(classes: 2, perClass: 3)
        let entry = ImageFolderCache.Entry(images: images, skipped: [SkippedFile(path: "/r/a/x.png", kind: .truncatedImage, reason: "cut")])
        let key = [UInt8](repeating: 7, count: 32)
        let bytes = ImageFolderCache.encode(entry, key: key)
        #expect(Array(bytes.prefix(8)) == Array("THAWIMGC".utf8))
        #expect(ImageFolderCache.verify(bytes, key: key) == .success(entry))
        #expect(ImageFolderCache.verify(bytes, key: [UInt8](repeating: 8, count: 32)) == .failure(.otherKey))
        #expect(ImageFolderCache.verify(Array(bytes.dropLast()), key: key) == .failure(.checksumMismatch))
        var otherVersion = bytes
        otherVersion[8] = 1  // the version before CMYK decoding and EXIF orientation (under the checksum)
        #expect(ImageFolderCache.verify(otherVersion, key: key) == .failure(.checksumMismatch))
    }

    @Test func splitFolderLayout() {
        let dir = TemporaryDirectory("folder")
        dir.write("train/a/x.png", Self.png(1))
        dir.write("test/a/y.png", Self.png(2))
        #expect(ImageFolder.splitRoots(root: dir.path) == (dir.path + "/train", dir.path + "/test"))
        #expect(ImageFolder.splitRoots(root: dir.path + "/train") == (dir.path + "/train", nil))
    }

    // MARK: bad data, one case each

    static func folderWithBadFiles() -> TemporaryDirectory {
        let dir = Self.makeFolder()
        let good = Self.png(50)
        dir.write("cat/cut.png", Array(good.prefix(good.count / 2)))
        dir.write("cat/empty.jpg", [])
        dir.write("dog/fake.png", Array("not really a png\n".utf8))
        dir.write("dog/notes.txt", Array("hello".utf8))
        dir.write("README.md", Array("# data".utf8))
        dir.write("dog/.DS_Store", [0, 1, 2])
        return dir
    }

    @Test func badFilesFailTheLoadNamingTheFirstOne() {
        let dir = Self.folderWithBadFiles()
        expectError(.notAnImage, "file outside any class folder", path: dir.path + "/README.md") {
            try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8)
        }
    }

    @Test func truncatedImageFailsTheLoadNamingIt() {
        let dir = Self.makeFolder()
        let good = Self.png(50)
        dir.write("cat/cut.png", Array(good.prefix(good.count / 2)))
        expectError(.truncatedImage, "PNG", path: dir.path + "/cat/cut.png") {
            try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8)
        }
    }

    @Test func badFilesAreSkippedAndListed() throws {
        let dir = Self.folderWithBadFiles()
        let cache = TemporaryDirectory("cache")
        for _ in 0..<2 {  // the second pass reads the cache and must report the same files
            let (images, skipped) = try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8,
                                                         cacheDirectory: cache.path, skipBad: true)
            #expect(images.count == 5)
            #expect(skipped.map(\.path) == ["README.md", "cat/cut.png", "cat/empty.jpg", "dog/fake.png", "dog/notes.txt"].map { dir.path + "/" + $0 })
            #expect(skipped.map(\.kind) == [.notAnImage, .truncatedImage, .truncatedImage, .notAnImage, .notAnImage])
        }
    }

    @Test func cachedBadFileStillFailsAStrictLoad() throws {
        let dir = Self.makeFolder()
        dir.write("dog/fake.png", Array("nope".utf8))
        let cache = TemporaryDirectory("cache")
        _ = try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, cacheDirectory: cache.path, skipBad: true)
        expectError(.notAnImage, "not a PNG or JPEG", path: dir.path + "/dog/fake.png") {
            try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, cacheDirectory: cache.path)
        }
    }

    @Test func emptyClassFolder() throws {
        let dir = Self.makeFolder()
        try FileManager.default.createDirectory(atPath: dir.path + "/emu", withIntermediateDirectories: true)
        expectError(.emptyClass, "class folder 'emu' has no images", path: dir.path + "/emu") {
            try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, skipBad: true)
        }
    }

    @Test func classWhoseEveryImageIsBad() {
        let dir = Self.makeFolder()
        dir.write("emu/x.png", Array("bad".utf8))
        expectError(.emptyClass, "has no usable (its bad files were skipped) images") {
            try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, skipBad: true)
        }
    }

    @Test func missingRoot() {
        expectError(.missingPath, "no such file", path: "/nonexistent/thaw-folder") {
            try ImageFolder.load(root: "/nonexistent/thaw-folder", channels: 1, height: 8, width: 8)
        }
    }

    @Test func rootIsAFile() {
        let dir = TemporaryDirectory("folder")
        let file = dir.write("x.png", Self.png(1))
        expectError(.unreadable, "is not a directory", path: file) { try ImageFolder.load(root: file, channels: 1, height: 8, width: 8) }
    }

    @Test func rootWithoutClassFolders() {
        let dir = TemporaryDirectory("folder")
        dir.write("x.png", Self.png(1))
        expectError(.emptyClass, "no class folders", path: dir.path) {
            try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, skipBad: true)
        }
    }

    @Test func twoChannelsRequested() {
        let dir = Self.makeFolder()
        expectError(.invalidSelection, "channels: 2") { try ImageFolder.load(root: dir.path, channels: 2, height: 8, width: 8) }
    }

    @Test func zeroInputSize() {
        let dir = Self.makeFolder()
        expectError(.invalidSelection, "input size 0x8") { try ImageFolder.load(root: dir.path, channels: 1, height: 0, width: 8) }
    }

    @Test func labelCountNotMatchingTheModel() throws {
        let dir = Self.makeFolder()
        let (images, _) = try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8)
        expectError(.labelMismatch, "data has 2 classes but the model's head has 10") { try images.checkMatchesModel(classes: 10) }
    }
}

/// Sets a file's atime and mtime to `nanoseconds` since the epoch (cache-key tests).
func setModificationTime(_ path: String, nanoseconds: Int64) throws {
    var times = [timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000)),
                 timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))]
    #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
}
