/// The Protocol Buffers wire format, as much of it as ONNX's messages need: varints (int32, int64,
/// enums), length-delimited fields (strings, bytes, nested messages) and fixed32 floats. Fields are
/// written in the order the caller gives; the ONNX messages write them in field-number order, as
/// protobuf's own serializer does, so a file re-serialised by `onnx` comes out byte-identical.
///
/// Hand-written instead of swift-protobuf: nine message types with a handful of fields each are a
/// couple of hundred lines, while swift-protobuf adds its runtime package and either its code
/// generator plugin (a 9.5 min first build on these machines, by the environment's notes) or a
/// committed generated file for all of onnx.proto, for no behaviour Thaw needs: Thaw only writes
/// ONNX, never reads it (docs/architecture.md, "ONNX export").
public struct ProtoWriter {
    /// The wire type in the low three bits of every field key.
    public enum WireType: UInt8 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Base-128 little-endian groups, the high bit set on every byte but the last.
    public mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// The field key: `(field << 3) | wireType`.
    public mutating func key(_ field: Int, _ type: WireType) {
        varint(UInt64(field) << 3 | UInt64(type.rawValue))
    }

    /// int64 / int32 / enum: negative values are their 64-bit two's complement (ten bytes), as
    /// protobuf encodes them.
    public mutating func int(_ field: Int, _ value: Int) {
        key(field, .varint)
        varint(UInt64(bitPattern: Int64(value)))
    }

    public mutating func float(_ field: Int, _ value: Float) {
        key(field, .fixed32)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func string(_ field: Int, _ value: String) {
        lengthDelimited(field, Array(value.utf8))
    }

    public mutating func lengthDelimited(_ field: Int, _ payload: [UInt8]) {
        key(field, .lengthDelimited)
        varint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    /// A float array as little-endian bytes (TensorProto's `raw_data`), copied in one go.
    public mutating func littleEndianFloats(_ field: Int, _ values: [Float]) {
        key(field, .lengthDelimited)
        varint(UInt64(values.count * 4))
        #if _endian(little)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        #endif
    }

    /// A nested message: its bytes, length-prefixed.
    public mutating func message<M: ProtoMessage>(_ field: Int, _ message: M) {
        var inner = ProtoWriter()
        message.write(to: &inner)
        lengthDelimited(field, inner.bytes)
    }

    public mutating func reserveCapacity(_ n: Int) { bytes.reserveCapacity(n) }
}

/// A message that writes its own fields.
public protocol ProtoMessage {
    func write(to writer: inout ProtoWriter)
}

extension ProtoMessage {
    /// The message's serialised bytes.
    public func serialized() -> [UInt8] {
        var w = ProtoWriter()
        write(to: &w)
        return w.bytes
    }
}
