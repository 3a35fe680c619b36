/// A JSON byte writer that produces exactly what `Wire.encoder()` (JSONEncoder, `.sortedKeys`,
/// `.withoutEscapingSlashes`) writes, for the hot views (`JobView.wireBytes()`): JSONEncoder costs
/// tens of microseconds per job object, this a few. The caller writes an object's keys in sorted
/// order (`String <`, as the encoder sorts them); fixed keys are sorted by hand in the writers,
/// dynamic ones (class names, metric names, a spec's keys) at run time, by the same `String <`. Tests compare its
/// output with `Wire.encode` of the same value (the oracle) byte for byte.
public struct WireWriter {
    public private(set) var bytes: [UInt8] = []
    /// A value or container was just completed: the next member needs a comma first.
    private var needsComma = false

    public init(capacity: Int = 2048) { bytes.reserveCapacity(capacity) }

    // MARK: Containers

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")) }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")) }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma = true }

    /// `"key":`; the value written next belongs to it.
    public mutating func key(_ key: String) {
        separate()
        writeString(key)
        bytes.append(UInt8(ascii: ":"))
    }

    /// The comma between members; after it (or after `{`, `[`, `:`) the next value goes straight on.
    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = false
    }

    // MARK: Values

    public mutating func null() { separate(); bytes.append(contentsOf: Self.nullBytes); needsComma = true }
    public mutating func bool(_ value: Bool) { separate(); bytes.append(contentsOf: value ? Self.trueBytes : Self.falseBytes); needsComma = true }
    public mutating func int(_ value: Int) { separate(); bytes.append(contentsOf: String(value).utf8); needsComma = true }
    public mutating func string(_ value: String) { separate(); writeString(value); needsComma = true }

    /// As JSONEncoder writes a Double: its `description` without a trailing `.0` (`1`, `0.1`,
    /// `1e-05`, `-0`). Not finite is the caller's business (`measured`).
    public mutating func number(_ value: Double) {
        separate()
        let text = value.description.utf8
        if text.count > 2, text.last == UInt8(ascii: "0"), text[text.index(text.endIndex, offsetBy: -2)] == UInt8(ascii: ".") {
            bytes.append(contentsOf: text.dropLast(2))
        } else {
            bytes.append(contentsOf: text)
        }
        needsComma = true
    }

    /// A measured number: null when missing or not finite (`encodeMeasured`).
    public mutating func measured(_ value: Double?) {
        if let value, value.isFinite { number(value) } else { null() }
    }

    public mutating func optional(_ value: String?) { if let value { string(value) } else { null() } }
    public mutating func optional(_ value: Int?) { if let value { int(value) } else { null() } }

    /// `{"name": measured, ...}` in key order.
    public mutating func measuredMap(_ map: [String: Double?]) {
        beginObject()
        for (name, value) in map.sorted(by: { $0.key < $1.key }) {
            key(name)
            measured(value)
        }
        endObject()
    }

    public mutating func measuredList(_ list: [Double?]) {
        beginArray()
        for value in list { measured(value) }
        endArray()
    }

    /// Any JSON value, object keys sorted as the encoder sorts them.
    public mutating func json(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .number(let n): number(n)
        case .string(let s): string(s)
        case .array(let items):
            beginArray()
            for item in items { json(item) }
            endArray()
        case .object(let fields):
            beginObject()
            for (name, field) in fields.sorted(by: { $0.key < $1.key }) {
                key(name)
                json(field)
            }
            endObject()
        }
    }

    /// Bytes that are already one complete JSON value in wire form (e.g. `rendered(_:)` of a value
    /// that does not change), copied as they are.
    public mutating func raw(_ value: [UInt8]) {
        separate()
        bytes.append(contentsOf: value)
        needsComma = true
    }

    /// One value written alone: a fragment for `raw(_:)`.
    public static func rendered(_ value: JSONValue) -> [UInt8] {
        var writer = WireWriter(capacity: 256)
        writer.json(value)
        return writer.bytes
    }

    // MARK: Strings

    /// JSONEncoder's escaping: `"` and `\` escaped, `\b \f \n \r \t` by name, other controls as
    /// `\u00xx` (lowercase hex), everything else (slashes, non-ASCII) as UTF-8.
    private mutating func writeString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            for (i, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i])) }
                start = i + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                              Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 0xF)]])
                }
            }
            if start < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)
    private static let nullBytes: [UInt8] = Array("null".utf8)
    private static let trueBytes: [UInt8] = Array("true".utf8)
    private static let falseBytes: [UInt8] = Array("false".utf8)
}
