import Foundation
import Testing

@testable import Store

/// A fresh directory under the system temp dir, removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("thaw-store-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}

/// Where a test's database lives: both are exercised because WAL, fsync and re-open only exist on disk,
/// while `:memory:` proves nothing depends on a file.
enum Storage: String, CaseIterable, CustomTestStringConvertible {
    case file, memory
    var testDescription: String { rawValue }
}

/// A store in a temp dir; keeps the directory alive as long as the fixture.
struct StoreFixture {
    let directory = TemporaryDirectory()
    let store: Store

    init(_ storage: Storage = .file, synchronous: StoreConfiguration.Synchronous = .normal) throws {
        let configuration = storage == .file
            ? StoreConfiguration.dataDirectory(directory.path, synchronous: synchronous)
            : StoreConfiguration(databasePath: ":memory:", artifactsDirectory: directory.file("artifacts"))
        store = try Store(configuration: configuration)
    }

    /// Opens a second Store on the same files (after the first is released, or alongside it: without
    /// the data-dir lock, as a process restarted after a crash sees them).
    func reopen() throws -> Store {
        try Store(configuration: .dataDirectory(directory.path, synchronous: .normal, exclusive: false))
    }
}

let spec = #"{"dataset":"dataset_0000000000000001","epochs":3}"#
