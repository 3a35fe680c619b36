import Foundation

/// The one JSON configuration of the wire: every response body, event payload and stored record the
/// API types encode goes through `Wire.encoder`, every body they decode through `Wire.decoder`.
/// Keys are sorted and slashes left alone, so the bytes match what docs/api.md shows; field names are
/// spelled by each type's `CodingKeys` (snake_case), never by a key strategy.
public enum Wire {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder { JSONDecoder() }

    /// Encodes `value` with the wire configuration.
    public static func encode<T: Encodable>(_ value: T) throws -> Data { try encoder().encode(value) }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decoder().decode(type, from: data)
    }
}
