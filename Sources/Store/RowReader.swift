import Foundation
import SQLite

/// Reads one result row by column name, turning a wrong type into `StoreError.corruptRecord` naming the
/// table and column instead of a crash. `columns` is the SELECT list the row came from.
struct RowReader {
    let table: String
    let columns: [String]
    let row: [SQLiteValue]

    private func value(_ column: String) -> SQLiteValue {
        guard let index = columns.firstIndex(of: column), index < row.count else { return .null }
        return row[index]
    }

    private func corrupt(_ column: String, _ expected: String) -> StoreError {
        .corruptRecord(table: table, column: column, reason: "expected \(expected), found \(value(column))")
    }

    func text(_ column: String) throws -> String {
        guard let text = value(column).string else { throw corrupt(column, "text") }
        return text
    }

    func optionalText(_ column: String) throws -> String? {
        let value = value(column)
        if value.isNull { return nil }
        guard let text = value.string else { throw corrupt(column, "text or NULL") }
        return text
    }

    func int(_ column: String) throws -> Int {
        guard let int = value(column).int else { throw corrupt(column, "integer") }
        return Int(int)
    }

    func optionalInt(_ column: String) throws -> Int? {
        let value = value(column)
        if value.isNull { return nil }
        guard let int = value.int else { throw corrupt(column, "integer or NULL") }
        return Int(int)
    }

    /// Integer milliseconds since 1970 as a Date.
    func date(_ column: String) throws -> Date {
        Date(timeIntervalSince1970: Double(try int(column)) / 1000)
    }

    func optionalDate(_ column: String) throws -> Date? {
        try optionalInt(column).map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    func enumeration<E: RawRepresentable>(_ column: String, _ type: E.Type) throws -> E where E.RawValue == String {
        let raw = try text(column)
        guard let value = E(rawValue: raw) else { throw corrupt(column, "a known \(E.self)") }
        return value
    }
}
