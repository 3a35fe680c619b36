import Foundation
import Tensor

/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
/// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}`, then
/// the raw little-endian data. Reads F32, F16, BF16 (widened to float32) and I64; writes F32 and
/// I64. Every structural problem is an error naming the key — nothing is trusted.
public enum Safetensors {
    /// Header limit (100 MB, as the reference implementation) so a hostile length can't exhaust memory.
    public static let maxHeaderBytes = 100_000_000

    public static func decode(_ bytes: [UInt8]) throws(SafetensorsError) -> (tensors: StateDict, metadata: [String: String]) {
        try bytes.withUnsafeBufferPointer { (buffer) throws(SafetensorsError) in try decode(raw: UnsafeRawBufferPointer(buffer)) }
    }

    /// Decodes from any bytes, e.g. a memory-mapped upload, without copying the file first.
    public static func decode(raw bytes: UnsafeRawBufferPointer) throws(SafetensorsError) -> (tensors: StateDict, metadata: [String: String]) {
        guard bytes.count >= 8 else { throw .truncated("\(bytes.count) bytes, need 8 for the header length") }
        var n = 0
        for i in 0..<8 { n |= Int(bytes[i]) << (8 * i) }
        guard n >= 2, n <= maxHeaderBytes else { throw .invalidHeader("header length \(n) out of range") }
        guard 8 + n <= bytes.count else { throw .truncated("header claims \(n) bytes, file has \(bytes.count - 8)") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + n)])))
        } catch {
            throw .invalidHeader("not valid JSON")
        }
        guard let header = object as? [String: Any] else { throw .invalidHeader("not a JSON object") }
        var metadata: [String: String] = [:]
        if let meta = header["__metadata__"] {
            guard let m = meta as? [String: Any] else { throw .invalidHeader("__metadata__ is not an object") }
            for (k, v) in m {
                guard let s = v as? String else { throw .invalidHeader("__metadata__['\(k)'] is not a string") }
                metadata[k] = s
            }
        }
        let dataStart = 8 + n, dataSize = bytes.count - dataStart
        var spans: [(name: String, begin: Int, end: Int, dtype: TensorDType, shape: [Int])] = []
        for (key, value) in header where key != "__metadata__" {
            guard let entry = value as? [String: Any] else { throw .invalidEntry(key: key, reason: "entry is not an object") }
            guard let dtypeName = entry["dtype"] as? String else { throw .invalidEntry(key: key, reason: "missing dtype") }
            guard let dtype = TensorDType(rawValue: dtypeName) else { throw .unsupportedDType(key: key, dtype: dtypeName) }
            guard let shapeAny = entry["shape"] as? [Any] else { throw .invalidEntry(key: key, reason: "missing shape") }
            var shape: [Int] = []
            for d in shapeAny {
                guard let v = (d as? NSNumber)?.intValue, v >= 0, (d as? NSNumber)?.doubleValue == Double(v) else {
                    throw .invalidEntry(key: key, reason: "shape \(shapeAny) is not a list of non-negative integers")
                }
                shape.append(v)
            }
            guard let off = entry["data_offsets"] as? [Any], off.count == 2,
                  let b = (off[0] as? NSNumber)?.intValue, let e = (off[1] as? NSNumber)?.intValue else {
                throw .invalidEntry(key: key, reason: "data_offsets must be [begin, end]")
            }
            guard b >= 0, e >= b, e <= dataSize else { throw .offsetsOutOfRange(key: key, begin: b, end: e, dataSize: dataSize) }
            let (count, overflow) = shape.reduce((1, false)) { acc, d in
                let r = acc.0.multipliedReportingOverflow(by: d)
                return (r.partialValue, acc.1 || r.overflow)
            }
            let bytesNeeded = count.multipliedReportingOverflow(by: dtype.byteWidth)
            guard !overflow, !bytesNeeded.overflow, bytesNeeded.partialValue == e - b else {
                throw .sizeMismatch(key: key, expectedBytes: overflow ? -1 : bytesNeeded.partialValue, gotBytes: e - b)
            }
            spans.append((key, b, e, dtype, shape))
        }
        spans.sort { ($0.begin, $0.name) < ($1.begin, $1.name) }
        var dict = StateDict()
        for s in spans {
            let base = bytes.baseAddress! + dataStart + s.begin
            let count = (s.end - s.begin) / s.dtype.byteWidth
            let t = Tensor(shape: s.shape) { out in
                for i in 0..<count { out[i] = Self.element(base, i, s.dtype) }
            }
            dict.append(s.name, t, dtype: s.dtype)
        }
        return (dict, metadata)
    }

    @inline(__always)
    static func element(_ base: UnsafeRawPointer, _ i: Int, _ dtype: TensorDType) -> Float {
        switch dtype {
        case .f32: return Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
        case .bf16: return Float(bitPattern: UInt32(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
        case .f16: return HalfFloat.toFloat(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        case .i64: return Float(Int64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
        }
    }

    /// Serialises `tensors` in order (F32 or I64 per entry's dtype; F16/BF16 entries are written
    /// as F32). Header padded with spaces to a multiple of 8 bytes, as the reference writer does.
    public static func encode(_ tensors: StateDict, metadata: [String: String] = [:]) -> [UInt8] {
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let body = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }.joined(separator: ",")
            parts.append("\"__metadata__\":{\(body)}")
        }
        var offset = 0
        for e in tensors.entries {
            let dtype: TensorDType = e.dtype == .i64 ? .i64 : .f32
            let size = e.tensor.count * dtype.byteWidth
            let shape = e.tensor.shape.map(String.init).joined(separator: ",")
            parts.append("\(jsonString(e.name)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + size)]}")
            offset += size
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: headerBytes)
        for e in tensors.entries {
            if e.dtype == .i64 {
                for v in e.tensor.storage { withUnsafeBytes(of: Int64(v).littleEndian) { out.append(contentsOf: $0) } }
            } else {
                for v in e.tensor.storage { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
            }
        }
        return out
    }

    static func jsonString(_ s: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }

    public static func read(path: String) throws(SafetensorsError) -> (tensors: StateDict, metadata: [String: String]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .io(path: path, reason: "cannot read file") }
        do {
            return try decode([UInt8](data))
        } catch {
            throw error
        }
    }

    /// Durable write: temp file in the same directory, fsync, rename over `path`.
    public static func write(_ tensors: StateDict, metadata: [String: String] = [:], to path: String) throws(SafetensorsError) {
        let bytes = encode(tensors, metadata: metadata)
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw .io(path: tmp, reason: "cannot create (errno \(errno))") }
        var written = 0
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let r = Foundation.write(fd, raw.baseAddress! + written, raw.count - written)
                if r <= 0 { return false }
                written += r
            }
            return fsync(fd) == 0
        }
        close(fd)
        guard ok else {
            unlink(tmp)
            throw .io(path: tmp, reason: "write failed (errno \(errno))")
        }
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw .io(path: path, reason: "rename failed (errno \(errno))")
        }
    }
}
