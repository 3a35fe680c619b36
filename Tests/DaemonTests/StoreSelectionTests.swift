import Daemon
import Foundation
import Store
import Testing

/// `store` (`--store`): absent is the data dir's SQLite file; a PostgreSQL URI puts the rows there and
/// keeps the artifacts and the lock file in the data dir; anything else is a problem naming the key.
@Suite struct StoreSelectionTests {
    @Test func withoutStoreTheRowsAreInTheDataDirsSQLiteFile() {
        var configuration = DaemonConfiguration()
        configuration.dataDir = "/srv/thaw"
        #expect(configuration.storeConfiguration.database == .sqlite(path: "/srv/thaw/thaw.sqlite"))
        #expect(configuration.storeConfiguration.artifactsDirectory == "/srv/thaw/artifacts")
    }

    @Test func aPostgresURIFromTheConfigFileKeepsArtifactsAndLockInTheDataDir() throws {
        let json = #"{"data_dir": "/srv/thaw", "store": "postgresql://thaw@db:5432/thaw"}"#
        let configuration = try JSONDecoder().decode(DaemonConfiguration.self, from: Data(json.utf8))
        #expect(configuration.problems().isEmpty)
        let store = configuration.storeConfiguration
        #expect(store.database == .postgres(uri: "postgresql://thaw@db:5432/thaw"))
        #expect(store.artifactsDirectory == "/srv/thaw/artifacts")
        #expect(store.lockPath == "/srv/thaw/thaw.lock")
        #expect(store.leaseTimeout == 30)
    }

    /// Decoded image-folder caches follow the artifacts to the directory every node mounts on a
    /// shared store; on SQLite they stay under the data dir.
    @Test func theImageCacheIsInTheArtifactsDirectoryOnlyOnASharedStore() {
        var configuration = DaemonConfiguration()
        configuration.dataDir = "/srv/thaw"
        #expect(configuration.datasetCacheDirectory == "/srv/thaw/cache")
        configuration.store = "postgresql://thaw@db:5432/thaw"
        configuration.artifacts = "/mnt/thaw/artifacts"
        #expect(configuration.datasetCacheDirectory == "/mnt/thaw/artifacts/dataset-cache")
    }

    @Test func aStoreThatIsNotAPostgresURIIsAProblemNamingTheKey() {
        for bad in ["", "mysql://x", "/var/lib/thaw.sqlite", "postgresql:/missing-slash"] {
            var configuration = DaemonConfiguration()
            configuration.store = bad
            #expect(configuration.problems().contains { $0.hasPrefix("store:") }, "\(bad)")
        }
        var configuration = DaemonConfiguration()
        configuration.store = "postgres://u@h/db"
        #expect(configuration.problems().isEmpty)
    }
}

/// `node_id` (`--node-id`): default the host name; out of range or with control characters a problem.
@Suite struct NodeIDConfigurationTests {
    @Test func theNodeIDDefaultsToTheHostName() throws {
        #expect(DaemonConfiguration().resolvedNodeID == ProcessInfo.processInfo.hostName)
        let json = #"{"node_id": "trainer-2"}"#
        let configuration = try JSONDecoder().decode(DaemonConfiguration.self, from: Data(json.utf8))
        #expect(configuration.resolvedNodeID == "trainer-2" && configuration.problems().isEmpty)
    }

    @Test func aNodeIDOutOfRangeOrWithControlCharactersIsAProblem() {
        for bad in ["", String(repeating: "n", count: 256), "a\nb"] {
            var configuration = DaemonConfiguration()
            configuration.nodeID = bad
            #expect(configuration.problems().contains { $0.hasPrefix("node_id:") }, "\(bad)")
        }
    }
}
