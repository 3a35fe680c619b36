import Foundation
import NN
import Tensor
import Testing

/// Safetensors reading/writing; every malformed file is its own case and must name its key.
@Suite struct SafetensorsTests {
    /// A file from a raw header string and data bytes.
    static func file(_ header: String, data: [UInt8] = []) -> [UInt8] {
        let h = Array(header.utf8)
        var out = [UInt8]()
        withUnsafeBytes(of: UInt64(h.count).littleEndian) { out.append(contentsOf: $0) }
        return out + h + data
    }

    static func floats(_ v: [Float]) -> [UInt8] { v.flatMap { f in withUnsafeBytes(of: f.bitPattern.littleEndian) { Array($0) } } }

    static func decodeError(_ bytes: [UInt8]) -> SafetensorsError? {
        do {
            _ = try Safetensors.decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func roundTripKeepsNamesShapesValuesDTypesAndMetadata() throws {
        var d = StateDict()
        d.append("a.weight", Tensor(shape: [2, 3], storage: [1, -2, 3.5, 0, 1e-8, -7]))
        d.append("a.num_batches_tracked", Tensor(shape: [], storage: [42]), dtype: .i64)
        let bytes = Safetensors.encode(d, metadata: ["k": "v \"quoted\" /slash"])
        let (back, meta) = try Safetensors.decode(bytes)
        #expect(back == d)
        #expect(meta == ["k": "v \"quoted\" /slash"])
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0)
    }

    @Test func readsF16AndBF16AsFloat32() throws {
        // 1.0, -2.0, 0.5 in binary16 and bfloat16; one subnormal f16 (2^-24).
        let f16: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38, 0x01, 0x00]
        let bf16: [UInt8] = [0x80, 0x3F, 0x00, 0xC0, 0x00, 0x3F]
        let header = #"{"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[3],"data_offsets":[8,14]}}"#
        let (d, _) = try Safetensors.decode(Self.file(header, data: f16 + bf16))
        #expect(d["h"]!.tensor.storage == [1, -2, 0.5, Float(sign: .plus, exponent: -24, significand: 1)])
        #expect(d["h"]!.dtype == .f16)
        #expect(d["b"]!.tensor.storage == [1, -2, 0.5])
    }

    @Test func writesThroughTempFileAndReadsBack() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-st-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var d = StateDict()
        d.append("x", Tensor(shape: [3], storage: [1, 2, 3]))
        try Safetensors.write(d, metadata: ["format": "pt"], to: path)
        #expect(try Safetensors.read(path: path).tensors == d)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp-\(getpid())"))
    }

    @Test func missingFileIsAnIOError() {
        #expect(throws: SafetensorsError.self) { try Safetensors.read(path: "/nonexistent/thaw.safetensors") }
    }

    @Test func fewerThanEightBytesIsTruncated() {
        guard case .truncated = Self.decodeError([1, 0, 0]) else { Issue.record("expected truncated"); return }
    }

    @Test func headerLongerThanFileIsTruncated() {
        var bytes = Self.file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: Self.floats([1]))
        bytes[0] = 0xFF
        bytes[1] = 0x7F
        guard case .truncated = Self.decodeError(bytes) else { Issue.record("expected truncated"); return }
    }

    @Test func absurdHeaderLengthIsRejected() {
        var bytes = [UInt8](repeating: 0xFF, count: 8)
        bytes += Array("{}".utf8)
        guard case .invalidHeader = Self.decodeError(bytes) else { Issue.record("expected invalidHeader"); return }
    }

    @Test func badHeaderJSONIsRejected() {
        #expect(Self.decodeError(Self.file(#"{"a": {"dtype": "F32", "#)) == .invalidHeader("not valid JSON"))
    }

    @Test func headerThatIsNotAnObjectIsRejected() {
        #expect(Self.decodeError(Self.file("[1, 2]")) == .invalidHeader("not a JSON object"))
    }

    @Test func nonStringMetadataIsRejected() {
        guard case .invalidHeader = Self.decodeError(Self.file(#"{"__metadata__":{"a":1}}"#)) else {
            Issue.record("expected invalidHeader")
            return
        }
    }

    @Test func missingDTypeNamesTheKey() {
        #expect(Self.decodeError(Self.file(#"{"w":{"shape":[1],"data_offsets":[0,4]}}"#, data: Self.floats([1])))
            == .invalidEntry(key: "w", reason: "missing dtype"))
    }

    @Test func unsupportedDTypeNamesTheKey() {
        #expect(Self.decodeError(Self.file(#"{"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, data: Self.floats([1, 2])))
            == .unsupportedDType(key: "w", dtype: "C64"))
    }

    @Test func negativeShapeNamesTheKey() {
        guard case .invalidEntry(key: "w", _) = Self.decodeError(Self.file(#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: Self.floats([1]))) else {
            Issue.record("expected invalidEntry for w")
            return
        }
    }

    @Test func offsetsPastTheDataNameTheKey() {
        #expect(Self.decodeError(Self.file(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: Self.floats([1])))
            == .offsetsOutOfRange(key: "w", begin: 0, end: 8, dataSize: 4))
    }

    @Test func reversedOffsetsNameTheKey() {
        #expect(Self.decodeError(Self.file(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, data: Self.floats([1, 2])))
            == .offsetsOutOfRange(key: "w", begin: 4, end: 0, dataSize: 8))
    }

    @Test func shapeDisagreeingWithOffsetsNamesTheKey() {
        #expect(Self.decodeError(Self.file(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: Self.floats([1, 2])))
            == .sizeMismatch(key: "w", expectedBytes: 12, gotBytes: 8))
    }

    @Test func malformedDataOffsetsNameTheKey() {
        #expect(Self.decodeError(Self.file(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#, data: Self.floats([1])))
            == .invalidEntry(key: "w", reason: "data_offsets must be [begin, end]"))
    }

    @Test func fileCutInsideTheDataIsRejected() throws {
        var d = StateDict()
        d.append("w", Tensor(shape: [4], storage: [1, 2, 3, 4]))
        let bytes = Safetensors.encode(d)
        guard case .offsetsOutOfRange(key: "w", _, _, _) = Self.decodeError(Array(bytes.dropLast(3))) else {
            Issue.record("expected offsetsOutOfRange for w")
            return
        }
    }
}
