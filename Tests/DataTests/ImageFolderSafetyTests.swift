@testable import Data
import Foundation
import Testing

/// A registered image folder is the only part of the disk a client may make thawd read: links
/// must stay inside it, only regular files are read, and sizes are checked before allocating.
/// Each case builds the hostile entry for real (symlink(2), mkfifo(3), a sparse ftruncate(2)).
@Suite struct ImageFolderSafetyTests {
    static func folder() -> TemporaryDirectory {
        let dir = TemporaryDirectory("safety")
        dir.write("cat/a.png", ImageFolderTests.png(10))
        dir.write("dog/d.png", ImageFolderTests.png(200))
        return dir
    }

    static func link(_ dir: TemporaryDirectory, _ name: String, to target: String) {
        #expect(symlink(target, dir.path + "/" + name) == 0)
    }

    static func expectRefusal(_ kind: DataError.Kind, path suffix: String, _ fragment: String,
                              sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected a \(kind) refusal, got success", sourceLocation: sourceLocation)
        } catch let error as DataError {
            #expect(error.kind == kind && error.isRefusal, "\(error)", sourceLocation: sourceLocation)
            #expect(error.path?.hasSuffix(suffix) == true, "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(fragment), "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected DataError, got \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func folderLinkToTheFilesystemRootIsRefusedNotWalked() {
        let dir = Self.folder()
        Self.link(dir, "cat/x", to: "/")
        Self.expectRefusal(.outsideRoot, path: "/cat/x", "outside the image folder") {
            _ = try ImageFolder.load(root: dir.path, channels: 1, height: 4, width: 4, skipBad: true)
        }
    }

    @Test func fileLinkLeavingTheRootIsRefusedEvenWhenSkippingBadFiles() {
        let outside = TemporaryDirectory("outside")
        let secret = outside.write("secret.png", ImageFolderTests.png(99))
        let dir = Self.folder()
        Self.link(dir, "dog/s.png", to: secret)
        Self.expectRefusal(.outsideRoot, path: "/dog/s.png", "outside the image folder") {
            _ = try ImageFolder.load(root: dir.path, channels: 1, height: 4, width: 4, skipBad: true)
        }
    }

    @Test func classFolderLinkLeavingTheRootIsRefused() {
        let outside = TemporaryDirectory("outside")
        outside.write("bird/b.png", ImageFolderTests.png(1))
        let dir = Self.folder()
        Self.link(dir, "bird", to: outside.path + "/bird")
        Self.expectRefusal(.outsideRoot, path: "/bird", "outside") {
            _ = try ImageFolder.load(root: dir.path, channels: 1, height: 4, width: 4, skipBad: true)
        }
    }

    @Test func linksInsideTheRootAreFollowed() throws {
        let dir = Self.folder()
        Self.link(dir, "cat/d-too.png", to: "../dog/d.png")
        let (images, skipped) = try ImageFolder.load(root: dir.path, channels: 1, height: 4, width: 4)
        #expect(skipped.isEmpty)
        #expect(images.labels == [0, 0, 1])
        #expect(images.pixels[16..<32].allSatisfy { $0 == 200 })
    }

    @Test func splitsMayLinkIntoEachOtherButNotOutOfTheDataset() throws {
        let dir = TemporaryDirectory("split")
        dir.write("train/cat/a.png", ImageFolderTests.png(10))
        dir.write("test/cat/b.png", ImageFolderTests.png(20))
        Self.link(dir, "train/cat/b.png", to: "../../test/cat/b.png")
        let loaded = try DatasetSource.imageFolder(root: dir.path).load(channels: 1, height: 4, width: 4)
        #expect(loaded.train.count == 2 && loaded.test?.count == 1)
    }

    @Test func linkLoopsAreListedOnceNotMultiplied() throws {
        let dir = Self.folder()
        // Two links back up: without a visited set the walk would be 2^16 folders deep and wide.
        Self.link(dir, "cat/up1", to: ".")
        Self.link(dir, "cat/up2", to: "..")
        let (images, skipped) = try ImageFolder.load(root: dir.path, channels: 1, height: 4, width: 4, skipBad: true)
        #expect(images.count == 2)
        #expect(skipped.map { ($0.path as NSString).lastPathComponent } == ["up1", "up2"])
        #expect(skipped.allSatisfy { $0.reason.contains("already listed") })
    }

    @Test func fifoNamedLikeAnImageIsRefusedWithoutBlocking() {
        let dir = Self.folder()
        #expect(mkfifo(dir.path + "/cat/b.png", 0o644) == 0)
        Self.expectRefusal(.notARegularFile, path: "/cat/b.png", "not a regular file") {
            _ = try ImageFolder.load(root: dir.path, channels: 1, height: 4, width: 4, skipBad: true)
        }
    }

    @Test func fifoNotNamedLikeAnImageIsNeverOpened() throws {
        let dir = Self.folder()
        #expect(mkfifo(dir.path + "/cat/notes", 0o644) == 0)
        let (images, skipped) = try ImageFolder.load(root: dir.path, channels: 1, height: 4, width: 4, skipBad: true)
        #expect(images.count == 2 && skipped.map(\.kind) == [.notAnImage])
    }

    @Test func readingAFifoDirectlyDoesNotBlock() {
        // The descriptor's type is checked after a non-blocking open, so a file swapped for a FIFO
        // after the listing is refused too.
        let dir = TemporaryDirectory("fifo")
        let path = dir.path + "/late.png"
        #expect(mkfifo(path, 0o644) == 0)
        expectError(.notARegularFile, "not a regular file", path: path) { try FileBytes.read(path) }
    }

    @Test func sparseTerabyteImageIsRefusedBeforeAnyAllocation() throws {
        let dir = Self.folder()
        let path = dir.path + "/cat/huge.png"
        let fd = open(path, O_WRONLY | O_CREAT, 0o644)
        #expect(fd >= 0)
        _ = ImageFolderTests.png(1).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        #expect(ftruncate(fd, 1 << 40) == 0)
        close(fd)
        Self.expectRefusal(.tooLarge, path: "/cat/huge.png", "1099511627776 bytes, over the 67108864-byte limit") {
            _ = try ImageFolder.load(root: dir.path, channels: 1, height: 4, width: 4, skipBad: true)
        }
        expectError(.tooLarge, "over the 1000-byte limit") { try FileBytes.read(path, maxBytes: 1000) }
    }

    @Test func perFileByteLimitIsConfigurable() {
        let dir = Self.folder()
        var rng = SeededRandom(seed: 3)
        let noise = (0..<(64 * 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let big = try! ImageEncoder.png(noise, width: 64, height: 64, channels: 1)
        dir.write("dog/big.png", big)
        let limits = ImageFileLimits(maxFileBytes: 1000)
        #expect(big.count > 1000 && ImageFolderTests.png(10).count <= 1000)
        Self.expectRefusal(.tooLarge, path: "/dog/big.png", "-byte limit per image file") {
            _ = try ImageFolder.load(root: dir.path, channels: 1, height: 4, width: 4, skipBad: true, limits: limits)
        }
    }

    @Test func imageWhoseHeaderPromisesTooManyPixelsIsRefusedBeforeDecoding() {
        let dir = Self.folder()
        dir.write("dog/wide.png", ImageFolderTests.png(7, 300, 200))
        let limits = ImageFileLimits(maxPixels: 50_000)
        Self.expectRefusal(.tooLarge, path: "/dog/wide.png", "300x200 pixels") {
            _ = try ImageFolder.load(root: dir.path, channels: 1, height: 4, width: 4, skipBad: true, limits: limits)
        }
    }

    @Test func sameFolderLoadedTwiceSharesOneDecodedCopy() throws {
        let dir = Self.folder()
        let memory = ImageFolderMemoryCache()
        let (first, _) = try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, memory: memory)
        // Corrupt the file without changing size or mtime: only the memory copy can still give the old pixels.
        let path = dir.path + "/dog/d.png"
        let stamp = try FileBytes.info(path)
        dir.write("dog/d.png", ImageFolderTests.png(201))
        try setModificationTime(path, nanoseconds: stamp.mtimeNanoseconds)
        let (second, _) = try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, memory: memory)
        #expect(second == first)
        let same = first.pixels.withUnsafeBufferPointer { a in second.pixels.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress } }
        #expect(same, "the second load must share the first one's pixel buffer")
        #expect(memory.count == 1 && memory.pixelBytes == 2 * 64)
        // A changed folder replaces its slot instead of adding a second copy.
        try setModificationTime(path, nanoseconds: stamp.mtimeNanoseconds + 1_000_000_000)
        let (third, _) = try ImageFolder.load(root: dir.path, channels: 1, height: 8, width: 8, memory: memory)
        #expect(third.pixels[64..<128].allSatisfy { $0 == 201 })
        #expect(memory.count == 1)
        memory.evict(folder: dir.path)
        #expect(memory.count == 0)
    }

    /// The pid of a process that has exited: what a killed writer's temp file names.
    static func deadProcessID() throws -> Int32 {
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        return dead.processIdentifier
    }

    @Test func orphanedCacheTempFilesAreSweptAndLiveOnesKept() throws {
        let cache = TemporaryDirectory("cache")
        let orphan = "imagefolder-abc.thawcache.tmp-\(try Self.deadProcessID())-12345"
        let mine = "imagefolder-def.thawcache.tmp-\(getpid())-7"
        for name in [orphan, mine, "imagefolder-abc.thawcache", "notes.tmp-x-1"] { cache.write(name, [1, 2, 3]) }
        #expect(ImageFolder.sweepCacheTemporaries(cacheDirectory: cache.path) == [orphan])
        let left = try FileManager.default.contentsOfDirectory(atPath: cache.path).sorted()
        #expect(left == ["imagefolder-abc.thawcache", mine, "notes.tmp-x-1"].sorted())
        #expect(ImageFolder.sweepCacheTemporaries(cacheDirectory: cache.path + "/missing").isEmpty)
    }

    /// A cluster's shared cache: a pid names a process of some machine, so it decides nothing; a
    /// temp file goes only once it is older than the age given (thawd gives `Store.sharedSweepAge`,
    /// one hour), and never this process's own.
    @Test func aSharedCacheIsSweptByAgeNotByPid() throws {
        let cache = TemporaryDirectory("cache")
        let otherNodes = "imagefolder-abc.thawcache.tmp-\(try Self.deadProcessID())-1"  // no such pid here, but fresh: mid-write elsewhere
        let stale = "imagefolder-def.thawcache.tmp-1-2"             // pid 1 lives here, but the file is two hours old
        let mineStale = "imagefolder-ghi.thawcache.tmp-\(getpid())-3"
        for name in [otherNodes, stale, mineStale, "imagefolder-abc.thawcache"] { cache.write(name, [1, 2, 3]) }
        let twoHoursAgo = Date().addingTimeInterval(-7200)
        for name in [stale, mineStale, "imagefolder-abc.thawcache"] {
            try FileManager.default.setAttributes([.modificationDate: twoHoursAgo], ofItemAtPath: cache.path + "/" + name)
        }
        #expect(ImageFolder.sweepCacheTemporaries(cacheDirectory: cache.path, sharedUntouchedFor: 3600) == [stale])
        let left = try FileManager.default.contentsOfDirectory(atPath: cache.path).sorted()
        #expect(left == ["imagefolder-abc.thawcache", mineStale, otherNodes].sorted())
        // The same directory swept as a local one goes by pid: the dead writer's file goes.
        #expect(ImageFolder.sweepCacheTemporaries(cacheDirectory: cache.path) == [otherNodes])
    }

    @Test func temporaryOwnerParsesOnlyTheWritersPattern() {
        #expect(FileBytes.temporaryOwner("a.thawcache.tmp-123-456") == 123)
        #expect(FileBytes.temporaryOwner("a.tmp-1.tmp-77-0") == 77)
        for name in ["a.thawcache", "a.tmp-", "a.tmp-12", "a.tmp-x-1", "a.tmp-0-1", "a.tmp-12-3-4", "a.tmp--1"] {
            #expect(FileBytes.temporaryOwner(name) == nil, "\(name)")
        }
    }

    @Test func headerSizesOfRealFiles() throws {
        let png = try ImageEncoder.png([UInt8](repeating: 0, count: 30 * 20 * 3), width: 30, height: 20, channels: 3)
        #expect(ImageHeader.read(png) == ImageHeader(width: 30, height: 20, components: 3))
        let jpeg = try ImageEncoder.jpeg([UInt8](repeating: 9, count: 33 * 17), width: 33, height: 17, channels: 1)
        #expect(ImageHeader.read(jpeg) == ImageHeader(width: 33, height: 17, components: 1))
        #expect(ImageHeader.read(Array(jpeg.prefix(4))) == nil)
        #expect(ImageHeader.read(Array("GIF89a".utf8)) == nil)
    }
}
