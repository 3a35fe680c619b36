/// The rows of one statement in libpq's text format: each cell is the server's text for the value
/// (nil for NULL), with the column's type OID so a caller can turn "42" back into a number.
public struct PostgresResult: Sendable {
    public var columnTypes: [PostgresType]
    public var rows: [[String?]]
    /// Rows changed by an INSERT/UPDATE/DELETE (0 for other statements).
    public var affectedRows: Int
}

/// The type OIDs the Store reads back (pg_type.oid); anything else is `.other`.
public enum PostgresType: Sendable, Equatable {
    case bool, int2, int4, int8, float4, float8, numeric, text, varchar, bytea, json, jsonb
    case other(UInt32)

    public init(oid: UInt32) {
        switch oid {
        case 16: self = .bool
        case 17: self = .bytea
        case 20: self = .int8
        case 21: self = .int2
        case 23: self = .int4
        case 25: self = .text
        case 114: self = .json
        case 700: self = .float4
        case 701: self = .float8
        case 1043: self = .varchar
        case 1700: self = .numeric
        case 3802: self = .jsonb
        default: self = .other(oid)
        }
    }

    /// The OID to declare a parameter with; 0 lets the server infer it from the statement.
    public var oid: UInt32 {
        switch self {
        case .bool: 16
        case .bytea: 17
        case .int8: 20
        case .int2: 21
        case .int4: 23
        case .text: 25
        case .json: 114
        case .float4: 700
        case .float8: 701
        case .varchar: 1043
        case .numeric: 1700
        case .jsonb: 3802
        case .other(let oid): oid
        }
    }
}

/// One statement parameter, sent in text format; `type` nil lets the server infer it.
public struct PostgresParameter: Sendable {
    public var text: String?
    public var type: PostgresType?

    public init(_ text: String?, type: PostgresType? = nil) {
        self.text = text
        self.type = type
    }
}
