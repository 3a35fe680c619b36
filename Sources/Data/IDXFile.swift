/// One IDX file (the MNIST layout): a 4-byte magic `00 00 <type> <ndims>`, `ndims` big-endian
/// UInt32 dimensions, then the row-major payload. Thaw only trains on unsigned-byte payloads
/// (type 0x08), but the header of every IDX type is validated so a wrong file gets a precise error.
public struct IDXFile: Sendable, Equatable {
    /// Element types the IDX format defines, with their byte sizes.
    public enum ElementType: UInt8, Sendable {
        case uint8 = 0x08, int8 = 0x09, int16 = 0x0B, int32 = 0x0C, float32 = 0x0D, float64 = 0x0E

        public var byteSize: Int {
            switch self {
            case .uint8, .int8: 1
            case .int16: 2
            case .int32, .float32: 4
            case .float64: 8
            }
        }
    }

    public var elementType: ElementType
    public var dimensions: [Int]
    /// The payload exactly as stored (big-endian for multi-byte types).
    public var payload: [UInt8]

    public init(elementType: ElementType, dimensions: [Int], payload: [UInt8]) {
        self.elementType = elementType
        self.dimensions = dimensions
        self.payload = payload
    }

    /// Reads `path`, inflating it first when it starts with the gzip magic, and parses it.
    public static func read(path: String) throws(DataError) -> IDXFile {
        var bytes = try FileBytes.read(path)
        if Gzip.isGzip(bytes) { bytes = try Gzip.decompress(bytes, path: path) }
        return try parse(bytes, path: path)
    }

    /// Parses an uncompressed IDX image. `path` only names the source in errors.
    public static func parse(_ bytes: [UInt8], path: String?) throws(DataError) -> IDXFile {
        guard bytes.count >= 4 else {
            throw DataError(.badIDXHeader, path: path, "file is \(bytes.count) bytes, shorter than the 4-byte IDX magic")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw DataError(.badIDXHeader, path: path, "not an IDX file: magic starts with \(hex(bytes[0])) \(hex(bytes[1])), expected 00 00")
        }
        guard let type = ElementType(rawValue: bytes[2]) else {
            throw DataError(.badIDXHeader, path: path, "unknown IDX element type \(hex(bytes[2]))")
        }
        let rank = Int(bytes[3])
        guard rank >= 1 else { throw DataError(.badIDXHeader, path: path, "IDX header declares 0 dimensions") }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw DataError(.badIDXHeader, path: path, "header declares \(rank) dimensions (\(headerSize) bytes) but the file has \(bytes.count) bytes")
        }
        var dimensions = [Int]()
        var elements = 1
        for d in 0..<rank {
            let o = 4 + 4 * d
            let value = Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
            dimensions.append(value)
            let (product, overflow) = elements.multipliedReportingOverflow(by: value)
            guard !overflow, product <= Int(Int32.max) * 8 else {
                throw DataError(.badIDXHeader, path: path, "dimensions \(dimensions) describe an implausibly large payload")
            }
            elements = product
        }
        let expected = elements * type.byteSize
        let actual = bytes.count - headerSize
        guard expected == actual else {
            throw DataError(.idxSizeMismatch, path: path,
                            "header dimensions \(dimensions) need \(expected) payload bytes but the file holds \(actual)")
        }
        return IDXFile(elementType: type, dimensions: dimensions, payload: Array(bytes[headerSize...]))
    }

    /// Serializes back to the uncompressed IDX layout (used for fixtures and round-trip tests).
    public func encoded() -> [UInt8] {
        var out: [UInt8] = [0, 0, elementType.rawValue, UInt8(dimensions.count)]
        for d in dimensions {
            out += [UInt8(truncatingIfNeeded: d >> 24), UInt8(truncatingIfNeeded: d >> 16),
                    UInt8(truncatingIfNeeded: d >> 8), UInt8(truncatingIfNeeded: d)]
        }
        return out + payload
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
    }
}
