@testable import ONNX
import Testing

/// The wire format against bytes worked out by hand from the protobuf encoding rules
/// (https://protobuf.dev/programming-guides/encoding/): key = field << 3 | wire type, varints in
/// 7-bit little-endian groups, length-delimited payloads prefixed with their byte count.
@Suite struct ProtoWriterTests {
    private func bytes(_ write: (inout ProtoWriter) -> Void) -> [UInt8] {
        var w = ProtoWriter()
        write(&w)
        return w.bytes
    }

    @Test func varints() {
        #expect(bytes { $0.varint(0) } == [0x00])
        #expect(bytes { $0.varint(1) } == [0x01])
        #expect(bytes { $0.varint(127) } == [0x7F])
        #expect(bytes { $0.varint(128) } == [0x80, 0x01])
        #expect(bytes { $0.varint(300) } == [0xAC, 0x02])
        #expect(bytes { $0.varint(UInt64.max) } == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
    }

    @Test func integerFieldsAndNegativeValues() {
        // field 1 varint: key 0x08; 150 = 0x96 0x01 (the protobuf guide's own example).
        #expect(bytes { $0.int(1, 150) } == [0x08, 0x96, 0x01])
        // field 20 varint: key 160 = 0xA0 0x01.
        #expect(bytes { $0.int(20, 7) } == [0xA0, 0x01, 0x07])
        // -1 as int64: ten bytes of two's complement.
        #expect(bytes { $0.int(3, -1) } == [0x18] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
    }

    @Test func stringsFloatsAndRawFloats() {
        // field 2 length-delimited: key 0x12, length 7, "testing" (the guide's example).
        #expect(bytes { $0.string(2, "testing") } == [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6E, 0x67])
        #expect(bytes { $0.string(4, "") } == [0x22, 0x00])
        // field 2 fixed32: key 0x15; 1.0f = 0x3F800000 little-endian.
        #expect(bytes { $0.float(2, 1) } == [0x15, 0x00, 0x00, 0x80, 0x3F])
        // field 9 raw_data: key 0x4A, 8 bytes: 1.0f, -2.0f (0xC0000000).
        #expect(bytes { $0.littleEndianFloats(9, [1, -2]) } == [0x4A, 0x08, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0])
    }

    @Test func messagesAreLengthPrefixed() {
        // OperatorSetIdProto{domain: "", version: 17} = 0A 00 10 11, nested as ModelProto field 8.
        let opset = OperatorSetIdProto(domain: "", version: 17)
        #expect(opset.serialized() == [0x0A, 0x00, 0x10, 0x11])
        #expect(bytes { $0.message(8, opset) } == [0x42, 0x04, 0x0A, 0x00, 0x10, 0x11])
        #expect(StringStringEntryProto(key: "k", value: "vv").serialized() == [0x0A, 0x01, 0x6B, 0x12, 0x02, 0x76, 0x76])
    }

    @Test func attributes() {
        // name "axis" (0A 04 …), i = 1 (18 01), type INT = 2 (A0 01 02).
        #expect(AttributeProto.int("axis", 1).serialized() == [0x0A, 0x04, 0x61, 0x78, 0x69, 0x73, 0x18, 0x01, 0xA0, 0x01, 0x02])
        // ints unpacked, one key each (40 = field 8 varint), type INTS = 7.
        #expect(AttributeProto.ints("p", [3, 300]).serialized() == [0x0A, 0x01, 0x70, 0x40, 0x03, 0x40, 0xAC, 0x02, 0xA0, 0x01, 0x07])
        // f = 1e-5 as fixed32 (0x3727C5AC), type FLOAT = 1.
        #expect(AttributeProto.float("e", 1e-5).serialized() == [0x0A, 0x01, 0x65, 0x15, 0xAC, 0xC5, 0x27, 0x37, 0xA0, 0x01, 0x01])
    }

    @Test func tensorAndValueInfo() {
        // dims 2 (08 02), data_type FLOAT (10 01), name "w" (42 01 77), raw_data 2 floats (4A 08 …).
        let t = TensorProto(dims: [2], name: "w", values: [0.5, 0])
        #expect(t.serialized() == [0x08, 0x02, 0x10, 0x01, 0x42, 0x01, 0x77, 0x4A, 0x08, 0x00, 0x00, 0x00, 0x3F, 0, 0, 0, 0])
        // ValueInfoProto{name "x", type{tensor_type{elem_type 1, shape{dim{dim_param "N"}, dim{dim_value 3}}}}}
        let dimN: [UInt8] = [0x0A, 0x03, 0x12, 0x01, 0x4E], dim3: [UInt8] = [0x0A, 0x02, 0x08, 0x03]
        let shape: [UInt8] = [0x12, UInt8(dimN.count + dim3.count)] + dimN + dim3
        let tensorType: [UInt8] = [0x08, 0x01] + shape
        let type: [UInt8] = [0x0A, UInt8(tensorType.count)] + tensorType
        let info = ValueInfoProto(name: "x", shape: [.param("N"), .value(3)])
        #expect(info.serialized() == [0x0A, 0x01, 0x78, 0x12, UInt8(type.count)] + type)
    }

    @Test func nodeFieldsInFieldNumberOrder() {
        let node = NodeProto(inputs: ["a"], outputs: ["b"], name: "n", opType: "Relu", attributes: [])
        #expect(node.serialized() == [0x0A, 0x01, 0x61, 0x12, 0x01, 0x62, 0x1A, 0x01, 0x6E, 0x22, 0x04, 0x52, 0x65, 0x6C, 0x75])
    }
}
