import Foundation
import SQLite
import Testing

@testable import Store

@Suite struct MigrationTests {
    @Test(arguments: Storage.allCases)
    func emptyDatabaseGetsEveryMigrationInOrder(storage: Storage) throws {
        let fixture = try StoreFixture(storage)
        #expect(fixture.store.appliedMigrations == Schema.migrations.map(\.name))
        let recorded = try fixture.store.rawQuery("SELECT name FROM schema_migrations ORDER BY name")
        #expect(recorded.map { $0[0].string } == Schema.migrations.map(\.name))
    }

    @Test func reopenAppliesNothingAndKeepsData() throws {
        let fixture = try StoreFixture()
        let job = try fixture.store.createJob(name: "a", spec: spec)
        let reopened = try fixture.reopen()
        #expect(reopened.appliedMigrations == [])
        #expect(try reopened.job(job.id) == job)
        let third = try fixture.reopen()
        #expect(third.appliedMigrations == [])
    }

    @Test func pragmasAreInForce() throws {
        let fixture = try StoreFixture(.file, synchronous: .full)
        #expect(try fixture.store.rawQuery("PRAGMA journal_mode") == [[.text("wal")]])
        #expect(try fixture.store.rawQuery("PRAGMA foreign_keys") == [[.integer(1)]])
        #expect(try fixture.store.rawQuery("PRAGMA synchronous") == [[.integer(2)]])  // FULL
    }

    @Test func databaseFromANewerBuildIsRefused() throws {
        let fixture = try StoreFixture()
        _ = try fixture.store.rawQuery("INSERT INTO schema_migrations (name, applied_at) VALUES ('9999_from_the_future', 0)")
        #expect(throws: StoreError.unknownMigration(name: "9999_from_the_future")) { try fixture.reopen() }
    }

    @Test func partiallyMigratedDatabaseIsCompleted() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("thaw.sqlite")
        do {
            let configuration = StoreConfiguration(databasePath: path, artifactsDirectory: directory.file("a"))
            let connection = try StoreConnection(configuration: configuration)
            let first = try Migration.apply(Array(Schema.migrations.prefix(1)), to: connection)
            #expect(first == [Schema.migrations[0].name])
        }
        let store = try Store(configuration: .dataDirectory(directory.path))
        #expect(store.appliedMigrations == Schema.migrations.dropFirst().map(\.name))
    }

    @Test func failedMigrationLeavesNoTraceAndIsRetriedOnNextOpen() throws {
        let directory = TemporaryDirectory()
        let configuration = StoreConfiguration.dataDirectory(directory.path)
        try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
        do {
            let connection = try StoreConnection(configuration: configuration)
            _ = try Migration.apply(Array(Schema.migrations.prefix(1)), to: connection)
            connection.faults.failWrite(at: 2)  // the second migration's record insert
            #expect(throws: StoreError.self) { try Migration.apply(Schema.migrations, to: connection) }
            let tables = try connection.read("SELECT name FROM sqlite_master WHERE name = 'jobs'")
            #expect(tables.isEmpty)
        }
        let store = try Store(configuration: configuration)
        #expect(store.appliedMigrations == Schema.migrations.dropFirst().map(\.name))
    }
}

@Suite struct OpenTests {
    @Test func dataDirectoryIsCreatedWithItsArtifactsFolder() throws {
        let directory = TemporaryDirectory()
        let nested = directory.file("a/b/var")
        let store = try Store(dataDirectory: nested)
        #expect(store.configuration.databasePath == nested + "/thaw.sqlite")
        #expect(FileManager.default.fileExists(atPath: nested + "/thaw.sqlite"))
        #expect(FileManager.default.fileExists(atPath: nested + "/artifacts"))
    }

    @Test func dataDirectoryThatIsAFileIsAnIOError() throws {
        let directory = TemporaryDirectory()
        let file = directory.file("plain")
        _ = FileManager.default.createFile(atPath: file, contents: Data([1]))
        #expect(throws: StoreError.io(operation: "mkdir", path: file, errno: ENOTDIR)) {
            try Store(dataDirectory: file)
        }
    }
}
