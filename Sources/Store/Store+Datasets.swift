import Foundation
import SQLite

extension Store {
    /// Registers a scanned dataset. `name` 1–256 chars, `path` non-empty; `classes`, `counts` and
    /// `skipped` JSON (the Store keeps, does not interpret them).
    @discardableResult
    public func createDataset(name: String, path: String, classes: String, counts: String, skipped: String = "[]")
        throws(StoreError) -> DatasetRecord
    {
        try sync { connection in
            guard (1...256).contains(name.unicodeScalars.count) else {
                throw StoreError.invalidArgument(field: "name", reason: "must be 1 to 256 characters")
            }
            guard !path.isEmpty else { throw StoreError.invalidArgument(field: "path", reason: "must not be empty") }
            try connection.requireJSON(classes, field: "classes")
            try connection.requireJSON(counts, field: "counts")
            try connection.requireJSON(skipped, field: "skipped")
            return try connection.transaction {
                let id = try connection.newID(prefix: "dataset", table: "datasets")
                try connection.write(
                    "INSERT INTO datasets (id, name, path, classes, counts, skipped, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [.text(id), .text(name), .text(path), .text(classes), .text(counts), .text(skipped),
                     .integer(connection.nowMillis())])
                return try connection.requireDataset(id)
            }
        }
    }

    public func dataset(_ id: String) throws(StoreError) -> DatasetRecord {
        try sync { try $0.requireDataset(id) }
    }

    /// Newest first.
    public func datasets(page: PageRequest = PageRequest()) throws(StoreError) -> Page<DatasetRecord> {
        try sync { connection in
            try connection.page(
                table: DatasetRecord.table, kind: "dataset", columns: DatasetRecord.columns, request: page,
                decode: DatasetRecord.init)
        }
    }

    /// Forgets the dataset (its files are the user's and stay). Jobs name datasets only inside their
    /// spec JSON, which the Store does not interpret: the caller says where (`specPath`, a SQLite JSON
    /// path such as `$.dataset.id`), and a queued, running or paused job whose spec has this id there
    /// makes it a `conflict`, checked in the same transaction as the delete.
    public func deleteDataset(_ id: String, usedAt specPath: String? = nil) throws(StoreError) {
        try sync { connection in
            try connection.transaction {
                try connection.requireDataset(id)
                if let specPath {
                    let dialect = connection.db.dialect
                    let users = try connection.read(
                        "SELECT count(*) FROM jobs WHERE status IN ('queued', 'running', 'paused') AND "
                            + dialect.jsonText(of: "spec") + " = ?",
                        [dialect.jsonPath(specPath), .text(id)]).first?.first?.int ?? 0
                    if users > 0 {
                        throw StoreError.conflict(kind: "dataset", id: id, reason: "used by \(users) queued, running or paused job(s)")
                    }
                }
                try connection.write("DELETE FROM datasets WHERE id = ?", [.text(id)])
            }
        }
    }
}

extension StoreConnection {
    @discardableResult
    func requireDataset(_ id: String) throws -> DatasetRecord {
        guard let row = try read(DatasetRecord.selectSQL + " WHERE id = ?", [.text(id)]).first else {
            throw StoreError.notFound(kind: "dataset", id: id)
        }
        return try DatasetRecord(RowReader(table: DatasetRecord.table, columns: DatasetRecord.columns, row: row))
    }
}
