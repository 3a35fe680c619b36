/// Public record ids: `<prefix>_` + 16 lower-case hex digits (64 bits from the system CSPRNG), e.g.
/// `job_3f9c0a1b2c3d4e5f`. Random rather than sequential so ids reveal nothing about volume or order
/// and cannot be guessed from a neighbour's.
enum RandomID {
    static func make(prefix: String) -> String { prefix + "_" + token() }

    /// 16 random hex digits; also names artifact files so a rewrite never reuses a path.
    static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex16(generator.next())
    }

    static func hex16(_ value: UInt64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var chars = [UInt8](repeating: 0, count: 16)
        for index in 0..<16 {
            chars[15 - index] = digits[Int((value >> (UInt64(index) * 4)) & 0xf)]
        }
        return String(decoding: chars, as: UTF8.self)
    }

    /// True for `<prefix>_` + 16 lower-case hex digits; lets the API reject malformed ids as 404 early.
    static func isWellFormed(_ id: String, prefix: String) -> Bool {
        let bytes = Array(id.utf8)
        let head = Array((prefix + "_").utf8)
        guard bytes.count == head.count + 16, bytes.starts(with: head) else { return false }
        return bytes[head.count...].allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
