@testable import Daemon
import Data
import Foundation
import Store
import Testing

/// The catalog over a real store file and real image folders: one decoded copy per folder however
/// many datasets name it, errors with paths relative to the dataset root, orphaned cache temp
/// files swept when it opens.
@Suite final class DatasetCatalogTests {
    let base: String
    let root: String
    let cache: String

    init() throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-catalog-\(UUID().uuidString)").path
        root = base + "/datasets"
        cache = base + "/cache"
        let fm = FileManager.default
        for (name, value) in [("cat", UInt8(10)), ("dog", UInt8(200))] {
            try fm.createDirectory(atPath: root + "/pets/\(name)", withIntermediateDirectories: true)
            let png = try ImageEncoder.png([UInt8](repeating: value, count: 64), width: 8, height: 8, channels: 1)
            fm.createFile(atPath: root + "/pets/\(name)/a.png", contents: Foundation.Data(png))
        }
        try fm.createDirectory(atPath: cache, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: base) }

    func catalog() throws -> DatasetCatalog {
        let store = try Store(configuration: .dataDirectory(base))
        return DatasetCatalog(store: store, fashionMNISTRoot: "/nonexistent", cacheDirectory: cache, datasetRoot: root)
    }

    @Test func aFolderRegisteredTwiceIsDecodedAndHeldOnce() throws {
        let catalog = try catalog()
        let path = DatasetPathResolver.canonical(root + "/pets")!
        let one = try catalog.register(name: "one", path: path, channels: 1, size: 8)
        let two = try catalog.register(name: "two", path: path, channels: 1, size: 8)
        #expect(one.id != two.id)
        #expect(catalog.folders.count == 1 && catalog.folders.pixelBytes == 2 * 64)
        let a = try catalog.load(id: one.id, channels: 1, height: 8, width: 8)
        let b = try catalog.load(id: two.id, channels: 1, height: 8, width: 8)
        let shared = a.train.pixels.withUnsafeBufferPointer { x in b.train.pixels.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress } }
        #expect(shared, "both datasets must read the same pixel buffer")
        #expect(catalog.folders.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache).count == 1)
    }

    @Test func deletingOneOfTwoDatasetsOnAFolderKeepsItsImagesUntilTheLastGoes() throws {
        let catalog = try catalog()
        let path = DatasetPathResolver.canonical(root + "/pets")!
        let one = try catalog.register(name: "one", path: path, channels: 1, size: 8)
        let two = try catalog.register(name: "two", path: path, channels: 1, size: 8)
        try catalog.store.deleteDataset(one.id)
        catalog.forget(path: path)
        #expect(catalog.folders.count == 1, "'two' still names the folder")
        try catalog.store.deleteDataset(two.id)
        catalog.forget(path: path)
        #expect(catalog.folders.count == 0 && catalog.folders.pixelBytes == 0)
    }

    @Test func errorsNamePathsRelativeToTheDatasetRoot() throws {
        let catalog = try catalog()
        #expect(symlink("/etc", root + "/pets/cat/etc") == 0)
        do {
            _ = try catalog.register(name: "x", path: DatasetPathResolver.canonical(root + "/pets")!, channels: 1, size: 8)
            Issue.record("registered a folder with a link to /etc")
        } catch let error as DataError {
            #expect(error.kind == .outsideRoot)
            #expect(error.path == "pets/cat/etc", "\(error)")
            #expect(!error.description.contains(base), "\(error)")
        }
        #expect(catalog.publicPath(cache + "/imagefolder-1.thawcache") == "<cache>/imagefolder-1.thawcache")
        #expect(catalog.publicPath("/somewhere/else/file.png") == "file.png")
        #expect(catalog.publicPath(root) == ".")
    }

    @Test func openingTheCatalogSweepsOrphanedCacheTempFiles() throws {
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let orphan = cache + "/imagefolder-x.thawcache.tmp-\(dead.processIdentifier)-1"
        #expect(FileManager.default.createFile(atPath: orphan, contents: Foundation.Data([1])))
        _ = try catalog()
        #expect(!FileManager.default.fileExists(atPath: orphan))
    }
}
