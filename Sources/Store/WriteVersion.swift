import Foundation

/// A counter moved after every write the Store's connection commits (`Store.writeVersion`). Read
/// before a read of the database, an unchanged value later proves nothing was committed since that
/// read began, so what was derived from it still holds (the daemon serves a finished job's bytes
/// on that proof without reading the store). Bumped after the commit, never before: a reader that
/// sees the old value may have read the old rows, and one that sees the new value also sees them
/// new, since a WAL read transaction that starts after a commit returns sees that commit.
final class WriteVersion: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    var current: Int { lock.withLock { value } }

    func bump() { lock.withLock { value &+= 1 } }
}
