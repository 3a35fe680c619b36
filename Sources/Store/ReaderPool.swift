import Foundation
import SQLite

/// Read-only connections for the hot reads (a job view), beside the Store's one serial connection.
/// In WAL mode a SQLite reader waits neither for the writer nor for other readers (and PostgreSQL's
/// MVCC gives the same), so a poll of `GET /v1/jobs/{id}` no longer queues behind a worker's commit
/// (an fsync) or convoys with every other request on the Store's queue (on a loaded machine a
/// descheduled holder of that queue made all polls wait). Each read sees the database as last
/// committed, the same as a read on the queue after the write returned. Idle connections are kept,
/// at most `limit`; more concurrent readers open and close their own. Not for `:memory:` databases
/// (they have no second connection).
final class ReaderPool: @unchecked Sendable {
    let limit: Int
    private let open: () throws -> any DatabaseConnection
    private let lock = NSLock()
    private var idle: [any DatabaseConnection] = []

    /// Opens the first connection now, beside the Store's (nil for `:memory:`, or when it cannot be
    /// opened: the reads then stay on the queue).
    convenience init?(_ configuration: StoreConfiguration, limit: Int = 8) {
        switch configuration.database {
        case .sqlite(let path):
            if path == ":memory:" { return nil }
            self.init(limit: limit) {
                let database = try Database(path: path)
                try database.execute("PRAGMA query_only=ON")
                return database
            }
        case .postgres(let uri):
            self.init(limit: limit) {
                try PostgresDatabase(uri: uri, readOnly: true) { try $0.execute("SET default_transaction_read_only = on") }
            }
        }
    }

    init?(limit: Int, open: @escaping () throws -> any DatabaseConnection) {
        self.limit = limit
        self.open = open
        guard let first = try? open() else { return nil }
        idle = [first]
    }

    /// Runs `body` on a connection no other thread uses meanwhile; nil without running it when no
    /// connection is idle and none can be opened (the caller reads on the queue instead).
    func read<T>(_ body: (any DatabaseConnection) throws -> T) throws -> T? {
        guard let database = lock.withLock({ idle.popLast() }) ?? (try? open()) else { return nil }
        defer { lock.withLock { if idle.count < limit { idle.append(database) } } }
        return try body(database)
    }
}
