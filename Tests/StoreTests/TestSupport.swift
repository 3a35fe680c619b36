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

/// Where a test's database lives: both SQLite forms are exercised because WAL, fsync and re-open only
/// exist on disk, while `:memory:` proves nothing depends on a file.
///
/// With `THAW_TEST_STORE=postgres` and `THAW_TEST_POSTGRES_URI` (deploy/test.sh sets both for its
/// second Store run, against deploy/pg-test-cluster.sh) the suite runs on PostgreSQL instead: every
/// fixture gets a fresh schema of that database. Tests that build a SQLite configuration themselves
/// (crash children, file-level checks) stay on SQLite.
enum Storage: String, CaseIterable, CustomTestStringConvertible {
    case file, memory, postgres
    var testDescription: String { rawValue }

    static var allCases: [Storage] { TestBackend.postgresURI == nil ? [.file, .memory] : [.postgres] }
    /// What a fixture without an argument uses.
    static var standard: Storage { TestBackend.postgresURI == nil ? .file : .postgres }
}

enum TestBackend {
    /// The server the suite runs against, or nil for SQLite.
    static let postgresURI: String? = {
        let environment = ProcessInfo.processInfo.environment
        guard environment["THAW_TEST_STORE"] == "postgres" else { return nil }
        guard let uri = environment["THAW_TEST_POSTGRES_URI"], !uri.isEmpty else {
            fatalError("THAW_TEST_STORE=postgres needs THAW_TEST_POSTGRES_URI (deploy/pg-test-cluster.sh prints one)")
        }
        return uri
    }()

    static var isPostgres: Bool { postgresURI != nil }

    /// A URI for a new, empty schema of the test database (libpq's `options` sets its search_path).
    static func freshPostgresURI() throws -> String {
        let base = postgresURI!
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try PostgresDatabase(uri: base).execute("CREATE SCHEMA \(schema)")
        // application_name: lets a test find (and terminate) exactly its own Store's connections.
        return base + (base.contains("?") ? "&" : "?") + "options=-c%20search_path%3D\(schema)&application_name=\(schema)"
    }
}

/// A store in a temp dir; keeps the directory alive as long as the fixture.
struct StoreFixture {
    let directory: TemporaryDirectory
    let store: Store
    let storage: Storage
    /// The fixture's own schema, for `.postgres`.
    let postgresURI: String?

    init(_ storage: Storage = .standard, synchronous: StoreConfiguration.Synchronous = .normal) throws {
        directory = TemporaryDirectory()
        self.storage = storage
        postgresURI = storage == .postgres ? try TestBackend.freshPostgresURI() : nil
        let configuration: StoreConfiguration
        switch storage {
        case .file: configuration = .dataDirectory(directory.path, synchronous: synchronous)
        case .memory: configuration = StoreConfiguration(databasePath: ":memory:", artifactsDirectory: directory.file("artifacts"))
        case .postgres: configuration = .postgres(uri: postgresURI!, dataDirectory: directory.path, synchronous: synchronous)
        }
        store = try Store(configuration: configuration)
    }

    /// This fixture's directory and schema with another Store (e.g. one with a pinned clock).
    init(replacing fixture: StoreFixture, with store: Store) {
        directory = fixture.directory
        storage = fixture.storage
        postgresURI = fixture.postgresURI
        self.store = store
    }

    /// Opens a second Store on the same files (after the first is released, or alongside it: without
    /// the data-dir lock, as a process restarted after a crash sees them).
    func reopen() throws -> Store {
        if let postgresURI {
            return try Store(configuration: .postgres(uri: postgresURI, dataDirectory: directory.path, synchronous: .normal, exclusive: false))
        }
        return try Store(configuration: .dataDirectory(directory.path, synchronous: .normal, exclusive: false))
    }

    /// SQLite's own consistency checks (pages, foreign keys) find nothing; PostgreSQL enforces
    /// foreign keys on every statement and has no such check to ask, so there it checks that no
    /// transaction was left open (a failed operation rolled back as a whole).
    func expectConsistent(sourceLocation: SourceLocation = #_sourceLocation) throws {
        if storage == .postgres {
            #expect(!store.isInTransaction, "a transaction was left open", sourceLocation: sourceLocation)
            return
        }
        #expect(try store.rawQuery("PRAGMA integrity_check") == [[.text("ok")]], sourceLocation: sourceLocation)
        #expect(try store.rawQuery("PRAGMA foreign_key_check").isEmpty, sourceLocation: sourceLocation)
    }
}

let spec = #"{"dataset":"dataset_0000000000000001","epochs":3}"#
