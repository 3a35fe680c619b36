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

    /// SQLite file path, or ":memory:" for a private in-memory database (tests).
    public var databasePath: String
    /// Directory holding artifact files; created if missing. Artifact paths in rows are relative to it.
    public var artifactsDirectory: String
    /// Default `.full`.
    public var synchronous: Synchronous
    /// File `flock`ed exclusively while the Store is open (see `DataDirectoryLock`); nil takes no lock.
    public var lockPath: String?
    /// Source of `created_at`/`started_at`/… timestamps; stored as integer milliseconds since 1970.
    public var clock: @Sendable () -> Date

    public init(
        databasePath: String,
        artifactsDirectory: String,
        synchronous: Synchronous = .full,
        lockPath: String? = nil,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.databasePath = databasePath
        self.artifactsDirectory = artifactsDirectory
        self.synchronous = synchronous
        self.lockPath = lockPath
        self.clock = clock
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
