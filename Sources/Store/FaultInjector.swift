#if canImport(Glibc)
import Glibc
#endif

/// The write seam's countdown: every durable write the Store makes (each SQL statement that changes
/// rows, each COMMIT, each artifact file step: write, fsync, rename, directory fsync) first calls `tick`.
///
/// Arm it with `failWrite(at: k)` and the k-th write after arming throws `StoreError.injectedFault`
/// instead of happening — once; later writes go through. Tests count an operation's writes with
/// `writes`, then fail each one in turn and check the store is exactly as it was before the operation.
/// Only the Store's serial queue touches it.
///
/// `fillDisk(containing:after:)` simulates a full file system instead: from then on, every artifact
/// file write whose path contains the fragment fails with `io(errno: ENOSPC)` (after `after` of them
/// went through), as a real full disk would, until `clearDiskFull()`.
final class FaultInjector {
    /// Writes seen since the store opened (or since the last `reset`).
    private(set) var writes = 0
    /// (k, writes still to let through before failing).
    private var armed: (k: Int, remaining: Int)?

    /// (path fragment, matching writes still to let through).
    private var diskFull: (fragment: String, remaining: Int)?

    var isArmed: Bool { armed != nil }

    func fillDisk(containing fragment: String, after allowed: Int) { diskFull = (fragment, allowed) }

    func clearDiskFull() { diskFull = nil }

    func failWrite(at k: Int) {
        precondition(k >= 1, "writes are counted from 1")
        armed = (k, k)
    }

    func reset() {
        writes = 0
        armed = nil
    }

    func tick(_ operation: @autoclosure () -> String) throws {
        writes += 1
        if let (fragment, remaining) = diskFull {
            let text = operation()
            if text.hasPrefix("write "), text.contains(fragment) {
                guard remaining > 0 else { throw StoreError.io(operation: "write", path: String(text.dropFirst(6)), errno: ENOSPC) }
                diskFull = (fragment, remaining - 1)
            }
        }
        guard let (k, remaining) = armed else { return }
        if remaining == 1 {
            armed = nil
            throw StoreError.injectedFault(write: k, operation: operation())
        }
        armed = (k, remaining - 1)
    }
}
