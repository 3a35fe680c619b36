#if canImport(Glibc)
import Glibc
#endif
import Postgres
import SQLite

/// Everything the Store can refuse or fail with; every public Store call throws only this type.
///
/// Each case names what went wrong and where, so the daemon can map it to a status without parsing text:
/// `notFound` → 404, `illegalTransition`/`conflict` → 409, `invalidArgument` → 400/422, the rest → 500.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No record of `kind` ("job", "model", "dataset", "command", "checkpoint") has this id.
    case notFound(kind: String, id: String)
    /// The job-status table forbids this change (see `JobStatus.allowedTransitions`).
    case illegalTransition(from: JobStatus, to: JobStatus)
    /// The record exists but its state forbids the request (e.g. a command posted to a finished job,
    /// deleting a model jobs still use, resolving a command twice).
    case conflict(kind: String, id: String, reason: String)
    /// A caller-supplied value is unusable; nothing was written. `field` is the parameter name.
    case invalidArgument(field: String, reason: String)
    /// An artifact's bytes no longer hash to the SHA-256 recorded when it was written. Never served.
    case checksumMismatch(path: String, expected: String, actual: String)
    /// An artifact row points at a file that is gone.
    case artifactMissing(path: String)
    /// A stored row holds a value this build cannot read (unknown status, wrong column type).
    case corruptRecord(table: String, column: String, reason: String)
    /// The database records a migration this build does not know: it was written by a newer thawd.
    case unknownMigration(name: String)
    /// A file-system call failed; `errno` is the C error number.
    case io(operation: String, path: String, errno: Int32)
    /// SQLite itself failed (disk full, I/O error, busy past the timeout).
    case sqlite(code: Int32, message: String)
    /// PostgreSQL refused or failed a statement (`sqlstate` its five-character code; "08006" when the
    /// connection broke, "53100" when its disk is full).
    case postgres(sqlstate: String, message: String)
    /// A worker's write for `job` was refused: its lease (`Lease`) is no longer the job's (the job
    /// was taken back after the lease expired, finished, or deleted). Nothing was written; the
    /// worker must stop the run without writing anything more.
    case leaseLost(job: String)
    /// Test seam: the armed countdown reached this write (see `FaultInjector`).
    case injectedFault(write: Int, operation: String)
    /// Another process holds the data directory's lock file (`holder`: the pid it recorded).
    case locked(path: String, holder: Int32?)

    public var description: String {
        switch self {
        case .notFound(let kind, let id): return "no \(kind) with id '\(id)'"
        case .illegalTransition(let from, let to): return "a \(from.rawValue) job cannot become \(to.rawValue)"
        case .conflict(let kind, let id, let reason): return "\(kind) '\(id)': \(reason)"
        case .invalidArgument(let field, let reason): return "invalid \(field): \(reason)"
        case .checksumMismatch(let path, let expected, let actual):
            return "artifact \(path) has SHA-256 \(actual), expected \(expected)"
        case .artifactMissing(let path): return "artifact \(path) is missing"
        case .corruptRecord(let table, let column, let reason): return "corrupt \(table).\(column): \(reason)"
        case .unknownMigration(let name): return "database has migration '\(name)' unknown to this build (newer thawd?)"
        case .io(let operation, let path, let errno): return "\(operation) \(path) failed (errno \(errno))"
        case .sqlite(let code, let message): return "SQLite error \(code): \(message)"
        case .postgres(let sqlstate, let message): return "PostgreSQL error \(sqlstate): \(message)"
        case .leaseLost(let job):
            return "job '\(job)': this worker's lease is gone (the job was taken back or finished); the write was refused"
        case .injectedFault(let write, let operation): return "injected fault at write \(write) (\(operation))"
        case .locked(let path, let holder):
            let who = holder.map { "another process (pid \($0))" } ?? "another process"
            return "the data directory is in use by \(who): \(path) is locked; stop that thawd or choose another --data-dir"
        }
    }

    /// The file system (ENOSPC, EDQUOT) or SQLite (SQLITE_FULL) ran out of space: nothing was written,
    /// and freeing space and retrying can succeed.
    public var isDiskFull: Bool {
        switch self {
        case .io(_, _, let errno): return errno == ENOSPC || errno == EDQUOT
        case .sqlite(let code, _): return code & 0xff == 13  // SQLITE_FULL (and its extended codes)
        case .postgres(let sqlstate, _): return sqlstate == "53100"  // disk_full
        default: return false
        }
    }

    /// Maps whatever a body threw onto a StoreError so the public API has one error type.
    static func wrap(_ error: any Error) -> StoreError {
        switch error {
        case let error as StoreError: return error
        case let error as SQLiteError: return .sqlite(code: error.code, message: error.message)
        case let error as PostgresError:
            switch error.kind {
            case .server(let sqlstate): return .postgres(sqlstate: sqlstate, message: error.message)
            case .connection: return .postgres(sqlstate: "08006", message: error.message)
            case .protocolViolation: return .postgres(sqlstate: "XX000", message: error.message)
            case .invalidArgument: return .postgres(sqlstate: "22023", message: error.message)
            }
        default: return .sqlite(code: -1, message: String(describing: error))
        }
    }
}
