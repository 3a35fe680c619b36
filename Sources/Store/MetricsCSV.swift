import JobAPI

/// Renders per-epoch metric rows as CSV: header `phase,epoch,<keys>`, one line per row, `\n` line ends.
///
/// Key columns appear in first-seen order (each row's object in its own key order), so the usual
/// `train_loss,val_loss,val_acc,lr` layout survives; a key a row lacks is an empty cell. Fields holding
/// a comma, quote, CR or LF are quoted with inner quotes doubled (RFC 4180). Pure: no database.
enum MetricsCSV {
    struct Row {
        var phase: String
        var epoch: Int
        /// (key, cell text) in the row's key order.
        var cells: [(key: String, value: String)]
    }

    static func render(_ rows: [Row]) -> String {
        // The record's own phase and job-wide epoch lead every row (named as in the JSON history);
        // the same keys inside the values would repeat a column name, so they are left out.
        let leading = [EpochEvent.CodingKeys.phase.stringValue, EpochEvent.CodingKeys.globalEpoch.stringValue]
        var keys: [String] = []
        var seen: Set<String> = Set(leading)
        for row in rows {
            for cell in row.cells where seen.insert(cell.key).inserted { keys.append(cell.key) }
        }
        var lines = [(leading + keys).map(escape).joined(separator: ",")]
        for row in rows {
            var values: [String: String] = [:]
            for cell in row.cells { values[cell.key] = cell.value }
            let fields = [row.phase, String(row.epoch)] + keys.map { values[$0] ?? "" }
            lines.append(fields.map(escape).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
