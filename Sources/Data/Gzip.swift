import CZlib

/// gzip (RFC 1952) through Debian's zlib: the built-in datasets ship as `.gz`.
enum Gzip {
    /// True when `bytes` start with the gzip magic 1f 8b.
    static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Inflates one gzip member. `path` only names the file in errors. A stream that ends before its
    /// trailer is `.badCompression` ("truncated"), as is any corrupt deflate data or CRC mismatch.
    static func decompress(_ input: [UInt8], path: String?) throws(DataError) -> [UInt8] {
        var stream = z_stream()
        // 15 window bits + 16: expect a gzip header and check its CRC-32 trailer.
        guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError(.badCompression, path: path, "zlib inflateInit failed")
        }
        defer { inflateEnd(&stream) }
        // ISIZE (last 4 bytes, little-endian) is the uncompressed size mod 2^32: a capacity hint only.
        var hint = input.count * 4
        if input.count >= 18 {
            let n = input.count
            hint = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1]) << 24
        }
        var output = [UInt8]()
        output.reserveCapacity(max(hint, 1024))
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        var status: Int32 = Z_OK
        var input = input
        try input.withUnsafeMutableBufferPointer { (inBuf) throws(DataError) in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = UInt32(inBuf.count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = UInt32(outBuf.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return outBuf.count - Int(stream.avail_out)
                }
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_OK, Z_STREAM_END:
                    break
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw DataError(.badCompression, path: path, "gzip stream is truncated after \(output.count) uncompressed bytes")
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw DataError(.badCompression, path: path, "corrupt gzip data: \(reason)")
                }
            } while status != Z_STREAM_END
        }
        return output
    }

    /// Deflates `input` into a single gzip member (level 6). Used to write fixtures and never on a hot path.
    static func compress(_ input: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                             Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 32)
        var input = input
        let size: Int = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = inBuf.baseAddress
                stream.avail_in = UInt32(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = UInt32(outBuf.count)
                _ = deflate(&stream, Z_FINISH)
                return outBuf.count - Int(stream.avail_out)
            }
        }
        return Array(output[0..<size])
    }

    /// CRC-32 (the PNG chunk and gzip checksum).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(CZlib.crc32(0, $0.baseAddress, UInt32($0.count))) }
    }
}
