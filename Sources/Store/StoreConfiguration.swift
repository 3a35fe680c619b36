import Foundation

/// Where the Store keeps its files and how hard it syncs them.
public struct StoreConfiguration: Sendable {
    /// How long a commit waits for the disk. See docs/store.md, "Durability".
    public enum Synchronous: String, Sendable {
        /// WAL fsynced at every commit: an acknowledged write survives power loss. The default: thawd
        /// commits a few times per epoch, not per batch, so one fsync (~1–10 ms) per commit is cheap,
        /// and a job the API answered 201 for must not vanish after a power cut.
        case full = "FULL"
        /// WAL fsynced only at checkpoints: survives a process crash (kill -9) but the last commits may
        /// roll back after power loss. For tests and throwaway data dirs.
        case normal = "NORMAL"
    }

    /// Which engine holds the rows.
    public enum Database: Sendable, Equatable {
        /// A SQLite file path, or ":memory:" for a private in-memory database (tests).
        case sqlite(path: String)
        /// A libpq connection URI (`postgresql://user@host:port/db`); the password comes from the
        /// URI, `PGPASSWORD` or `~/.pgpass`, as libpq reads them. See docs/store.md, "PostgreSQL".
        case postgres(uri: String)
    }

    public var database: Database
    /// The SQLite path; "" for PostgreSQL.
    public var databasePath: String {
        if case .sqlite(let path) = database { return path }
        return ""
    }
    /// Directory holding artifact files; created if missing. Artifact paths in rows are relative to it.
    public var artifactsDirectory: String
    /// Default `.full`. On PostgreSQL `.normal` is `synchronous_commit = off` (a server crash may lose
    /// the last commits, never corrupt them).
    public var synchronous: Synchronous
    /// File `flock`ed exclusively while the Store is open (see `DataDirectoryLock`); nil takes no lock.
    public var lockPath: String?
    /// How far ahead a claim or a renewal sets a job's lease (`Store+Leases.swift`, thawd's
    /// `--lease-timeout`): a job whose worker has not renewed it for this long is taken back by the
    /// next `requeueExpiredLeases` and resumed elsewhere. Seconds, default 30.
    public var leaseTimeout: TimeInterval = 30
    /// Source of `created_at`/`started_at`/… timestamps; stored as integer milliseconds since 1970.
    public var clock: @Sendable () -> Date

    public init(
        databasePath: String,
        artifactsDirectory: String,
        synchronous: Synchronous = .full,
        lockPath: String? = nil,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = .sqlite(path: databasePath)
        self.artifactsDirectory = artifactsDirectory
        self.synchronous = synchronous
        self.lockPath = lockPath
        self.clock = clock
    }

    /// The rows in PostgreSQL at `uri`; the artifacts (and the lock file) under `directory` as for
    /// `dataDirectory`. Many Stores (thawd nodes) may share one database; `exclusive` is about the
    /// data directory's lock file only (`false`: tests).
    public static func postgres(uri: String, dataDirectory directory: String, synchronous: Synchronous = .full,
                                exclusive: Bool = true) -> StoreConfiguration {
        var configuration = dataDirectory(directory, synchronous: synchronous, exclusive: exclusive)
        configuration.database = .postgres(uri: uri)
        return configuration
    }

    /// thawd's layout under `--data-dir` (default `./var`): `thaw.sqlite`, `artifacts/` and the lock file
    /// `thaw.lock`. `exclusive: false` (tests only) opens without the lock, e.g. to look at the files
    /// of a store that is still open, as a restarted process would after a crash.
    public static func dataDirectory(_ directory: String, synchronous: Synchronous = .full, exclusive: Bool = true)
        -> StoreConfiguration
    {
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        return StoreConfiguration(
            databasePath: base + "/thaw.sqlite",
            artifactsDirectory: base + "/artifacts",
            synchronous: synchronous,
            lockPath: exclusive ? base + "/thaw.lock" : nil
        )
    }
}
