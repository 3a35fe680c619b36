import Foundation
import SQLite

/// The nodes (thawd processes, by `--node-id`) that use this store and their heartbeats: what
/// `GET /v1/nodes` lists. One row per node, kept when it stops (its heartbeat then ages).
extension Migration {
    static let nodes = Migration(name: "0008_nodes", sql: nodesSQL, postgres: nodesSQL)

    /// The same text in both dialects (BIGINT has INTEGER affinity in SQLite).
    private static let nodesSQL = """
        CREATE TABLE nodes (
            id TEXT PRIMARY KEY NOT NULL CHECK (length(id) BETWEEN 1 AND 255),
            started_at BIGINT NOT NULL,
            heartbeat_at BIGINT NOT NULL,
            workers BIGINT NOT NULL CHECK (workers >= 0)
        );
        """
}

/// A node's row with the jobs its workers hold now (running, not interrupted, claimed by it).
public struct NodeRecord: Sendable, Equatable {
    public var id: String
    /// When the node (re)started: its first heartbeat since then.
    public var startedAt: Date
    public var heartbeatAt: Date
    public var workers: Int
    /// Ids in claim order.
    public var runningJobs: [String]
}

extension Store {
    /// Records that `node` is alive with `workers` workers, now. `starting` (the first beat of a
    /// process) also resets `startedAt`.
    public func heartbeat(node: String, workers: Int, starting: Bool = false) throws(StoreError) {
        guard (1...255).contains(node.unicodeScalars.count) else {
            throw .invalidArgument(field: "node", reason: "must be 1 to 255 characters")
        }
        guard workers >= 0 else { throw .invalidArgument(field: "workers", reason: "must be >= 0") }
        try sync { connection in
            let now = SQLiteValue.integer(connection.nowMillis())
            try connection.write(
                "INSERT INTO nodes (id, started_at, heartbeat_at, workers) VALUES (?, ?, ?, ?)"
                    + " ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, workers = excluded.workers"
                    + (starting ? ", started_at = excluded.started_at" : ""),
                [.text(node), now, now, .integer(Int64(workers))])
        }
    }

    /// Every node that ever beat, by id.
    public func nodes() throws(StoreError) -> [NodeRecord] {
        try sync { connection in
            let columns = ["id", "started_at", "heartbeat_at", "workers"]
            return try connection.read("SELECT id, started_at, heartbeat_at, workers FROM nodes ORDER BY id").map { row in
                let reader = RowReader(table: "nodes", columns: columns, row: row)
                let id = try reader.text("id")
                let running = try connection.read(
                    "SELECT id FROM jobs WHERE node = ? AND status = 'running' AND interrupted = 0 ORDER BY seq", [.text(id)])
                return NodeRecord(id: id, startedAt: try reader.date("started_at"), heartbeatAt: try reader.date("heartbeat_at"),
                                  workers: try reader.int("workers"), runningJobs: running.compactMap { $0.first?.string })
            }
        }
    }
}
