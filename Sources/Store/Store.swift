import Dispatch
import Foundation
import SQLite

/// thawd's durable state: one SQLite file (WAL) or a PostgreSQL database, plus checksummed artifact
/// files. See docs/store.md.
///
/// Thread-safe: every public call runs synchronously on one private serial queue that owns the
/// connection, so worker threads and HTTP handler threads may call concurrently; each call is atomic.
/// Calls block for one SQLite transaction (plus, for artifacts, the file writes and fsyncs).
/// Every error is a `StoreError`.
public final class Store: @unchecked Sendable {
    /// The artifacts directory's one folder that is not artifacts: decoded dataset caches, kept
    /// there on a shared store so every node reads what one decoded. No row references its files,
    /// so the artifact sweep leaves it alone; the dataset catalog sweeps it by its own rule.
    public static let datasetCacheFolder = "dataset-cache"
    /// In a directory other nodes write too, a file untouched this long is taken for an orphan (a
    /// writer that died), never a younger one: one hour, far longer than any artifact or cache write.
    public static let sharedSweepAge: TimeInterval = 3600

    public let configuration: StoreConfiguration
    /// Names of migrations applied by this open (empty when the file was already current).
    public let appliedMigrations: [String]
    /// Artifact temp files and unreferenced artifact files removed by this open (relative paths).
    public let sweptArtifacts: [String]

    /// Owns `connection`: nothing touches the connection except inside `queue.sync`.
    let queue = DispatchQueue(label: "thaw.store")
    let connection: StoreConnection
    let eventFeed = EventFeed()
    /// `observeCommands`' listeners.
    let commandFeed = CommandFeed()
    /// Connections for `concurrentRead`; nil for an in-memory database.
    let readers: ReaderPool?
    /// Held until the Store is released; nil when the configuration asks for no lock.
    private let lock: DataDirectoryLock?

    /// Takes the data directory's lock (`StoreConfiguration.lockPath`), then opens (creating if needed)
    /// the database and artifact directory, migrates the schema and sweeps orphan artifact files.
    /// With the lock held by another process it throws `locked` having read or changed nothing.
    public init(configuration: StoreConfiguration) throws(StoreError) {
        self.configuration = configuration
        do {
            lock = try configuration.lockPath.map { try DataDirectoryLock(path: $0) }
            let connection = try StoreConnection(configuration: configuration)
            self.connection = connection
            appliedMigrations = try connection.whileMigrating { try Migration.apply(Schema.migrations, to: connection) }
            sweptArtifacts = try connection.prepareArtifactsDirectory()
            readers = ReaderPool(configuration)
        } catch {
            throw StoreError.wrap(error)
        }
    }

    /// Opens `<directory>/thaw.sqlite` and `<directory>/artifacts`, creating the directory if needed.
    public convenience init(dataDirectory directory: String) throws(StoreError) {
        do { try ArtifactFiles.makeDirectories(directory) } catch { throw StoreError.wrap(error) }
        try self.init(configuration: .dataDirectory(directory))
    }

    /// Moves after every write this Store commits (each transaction, each statement outside one);
    /// equal values read before and after something was derived from the database mean nothing
    /// was committed in between. Any thread, without the queue (`WriteVersion`).
    public var writeVersion: Int { connection.writeVersion.current }

    /// Runs `body` on the connection's queue; the one door every public call goes through.
    func sync<T>(_ body: (StoreConnection) throws -> T) throws(StoreError) -> T {
        do {
            return try queue.sync { try body(connection) }
        } catch {
            throw StoreError.wrap(error)
        }
    }

    /// Runs a read-only `body` on a reader connection (`ReaderPool`), off the queue; on the queue's
    /// connection for an in-memory database, or when no reader can be opened.
    func concurrentRead<T>(_ body: (any DatabaseConnection) throws -> T) throws(StoreError) -> T {
        let result: T?
        do { result = try readers?.read(body) } catch { throw StoreError.wrap(error) }
        if let result { return result }
        return try sync { try body($0.db) }
    }

    // MARK: Test seam (internal: reached with `@testable import Store`)

    /// Makes the k-th durable write from now fail once with `StoreError.injectedFault`.
    func failWrite(at k: Int) { queue.sync { connection.faults.failWrite(at: k) } }

    /// Durable writes (SQL changes, COMMITs, artifact file steps) since open or `resetWriteCount()`.
    var writeCount: Int { queue.sync { connection.faults.writes } }

    func resetWriteCount() { queue.sync { connection.faults.reset() } }

    /// Artifact writes whose path contains `fragment` fail with ENOSPC after `allowed` more succeed.
    func simulateDiskFull(forPathsContaining fragment: String, after allowed: Int = 0) {
        queue.sync { connection.faults.fillDisk(containing: fragment, after: allowed) }
    }

    func clearDiskFull() { queue.sync { connection.faults.clearDiskFull() } }

    /// Reads of a job's event log (`events(job:…)`) since open: lets tests prove that live SSE
    /// streams are fed by the event feed rather than by polling the database.
    var eventLogReads: Int { queue.sync { connection.eventLogReads } }

    /// Whether the connection is inside a transaction between calls (never, unless a rollback was missed).
    var isInTransaction: Bool { queue.sync { connection.db.isInTransaction } }

    /// Raw read access for consistency checks in tests.
    func rawQuery(_ sql: String) throws(StoreError) -> [[SQLiteValue]] { try sync { try $0.read(sql) } }
}
