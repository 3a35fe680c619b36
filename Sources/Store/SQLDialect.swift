import SQLite

/// The SQL the two engines spell differently, in one place. Everything else the Store writes is
/// read the same by both: `?` placeholders (rewritten to `$n` for PostgreSQL by `PostgresDatabase`),
/// `INSERT … ON CONFLICT (…) DO UPDATE SET x = excluded.x` upserts, `RETURNING`, `COALESCE`, partial
/// indexes. Types differ only in the migrations (`Migration.postgres`): SQLite's `INTEGER PRIMARY KEY
/// AUTOINCREMENT` is an identity `BIGINT` there, every integer column a `BIGINT`, and the JSON CHECKs
/// call `thaw_json_valid`, defined by the first PostgreSQL migration.
enum SQLDialect: String, Sendable {
    case sqlite, postgres

    /// Opens a write transaction. SQLite's IMMEDIATE takes the write lock up front (no deadlock
    /// between two readers upgrading); PostgreSQL locks rows as statements touch them.
    var beginTransaction: String {
        switch self {
        case .sqlite: "BEGIN IMMEDIATE"
        case .postgres: "BEGIN"
        }
    }

    /// One-parameter SELECT answering 1 when the text is valid JSON (and, with `object`, a JSON
    /// object): the same test the tables' CHECK constraints apply, so a refusal can name the field.
    func jsonValidity(object: Bool) -> String {
        switch (self, object) {
        case (.sqlite, false): "SELECT json_valid(?1)"
        case (.sqlite, true): "SELECT CASE WHEN json_valid(?1) THEN json_type(?1) = 'object' ELSE 0 END"
        case (.postgres, false): "SELECT thaw_json_valid(?1)"
        case (.postgres, true): "SELECT CASE WHEN thaw_json_valid(?1) THEN json_typeof(?1::json) = 'object' ELSE false END"
        }
    }

    /// An expression for the text at a JSON path of `column`; the path is the next parameter, given
    /// by `jsonPath(_:)`.
    func jsonText(of column: String) -> String {
        switch self {
        case .sqlite: "json_extract(\(column), ?)"
        case .postgres: "(\(column)::json #>> ?::text[])"
        }
    }

    /// `path` in SQLite's form (`$.dataset.id`, object keys only) as this dialect's parameter.
    func jsonPath(_ path: String) -> SQLiteValue {
        switch self {
        case .sqlite: return .text(path)
        case .postgres:
            var keys = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if keys.first == "$" { keys.removeFirst() }
            let quoted = keys.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            return .text("{" + quoted.joined(separator: ",") + "}")
        }
    }

    /// The metrics CSV's cells, one row per (metric row, key) in recording then key order, with
    /// SQLite's json_each columns: seq, phase, epoch, key, type ('null', 'true', 'false', 'integer',
    /// 'real', 'text', 'array', 'object'), atom (the scalar; text on PostgreSQL), value (JSON text).
    var metricCellsSQL: String {
        switch self {
        case .sqlite:
            return """
                SELECT m.seq, m.phase, m.epoch, j.key, j.type, j.atom, j.value
                FROM job_metrics m, json_each(m.metrics) j WHERE m.job_id = ? ORDER BY m.seq, j.id
                """
        case .postgres:
            // json (not jsonb) keeps each object's own key order, as SQLite's json_each does.
            return """
                SELECT m.seq, m.phase, m.epoch, j.key,
                    CASE json_typeof(j.value)
                        WHEN 'boolean' THEN j.value::text
                        WHEN 'number' THEN CASE WHEN j.value::text ~ '^-?[0-9]+$' THEN 'integer' ELSE 'real' END
                        WHEN 'string' THEN 'text'
                        ELSE json_typeof(j.value) END,
                    j.value #>> '{}', j.value::text
                FROM job_metrics m, json_each(m.metrics::json) WITH ORDINALITY j(key, value, ord)
                WHERE m.job_id = ? ORDER BY m.seq, j.ord
                """
        }
    }
}
