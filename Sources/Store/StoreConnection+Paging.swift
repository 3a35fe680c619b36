import SQLite

/// A WHERE fragment with its positional parameters.
struct SQLCondition {
    var sql: String
    var parameters: [SQLiteValue]
}

extension StoreConnection {
    /// Newest-first keyset paging over a table with `seq` and `id` columns.
    ///
    /// `scope` (e.g. "job_id = ?") bounds both the list and the cursor: an `after` id outside the scope is
    /// `notFound(kind:id:)`, not silently an empty page. `filter` (e.g. a status) narrows only the list, so
    /// a cursor whose record has since changed status still pages correctly. Fetches `limit + 1` rows to
    /// learn `hasMore` without a count.
    func page<T>(
        table: String, kind: String, columns: [String],
        scope: SQLCondition? = nil, filter: SQLCondition? = nil,
        request: PageRequest, decode: (RowReader) throws -> T
    ) throws -> Page<T> {
        try request.validate()
        var conditions: [SQLCondition] = [scope, filter].compactMap { $0 }
        if let after = request.after {
            var lookup = "SELECT seq FROM \(table) WHERE id = ?"
            var parameters: [SQLiteValue] = [.text(after)]
            if let scope {
                lookup += " AND " + scope.sql
                parameters += scope.parameters
            }
            guard let seq = try read(lookup, parameters).first?.first?.int else {
                throw StoreError.notFound(kind: kind, id: after)
            }
            conditions.append(SQLCondition(sql: "seq < ?", parameters: [.integer(seq)]))
        }
        var sql = "SELECT \(columns.joined(separator: ", ")) FROM \(table)"
        if !conditions.isEmpty { sql += " WHERE " + conditions.map { "(\($0.sql))" }.joined(separator: " AND ") }
        sql += " ORDER BY seq DESC LIMIT ?"
        let parameters = conditions.flatMap(\.parameters) + [.integer(Int64(request.limit + 1))]
        let rows = try read(sql, parameters)
        let data = try rows.prefix(request.limit).map {
            try decode(RowReader(table: table, columns: columns, row: $0))
        }
        return Page(data: data, hasMore: rows.count > request.limit)
    }
}
