@testable import Data
import Testing

@Suite struct IDXFileTests {
    /// 2 images of 2x3 pixels, bytes 0...11.
    static let sample = IDXFile(elementType: .uint8, dimensions: [2, 2, 3], payload: Array(0..<12))

    @Test func rawFileRoundTrips() throws {
        let dir = TemporaryDirectory("idx")
        let path = dir.write("a-idx3-ubyte", Self.sample.encoded())
        #expect(try IDXFile.read(path: path) == Self.sample)
    }

    @Test func gzipFileReadsTheSameAsRaw() throws {
        let dir = TemporaryDirectory("idx")
        let path = dir.write("a-idx3-ubyte.gz", Gzip.compress(Self.sample.encoded()))
        #expect(try IDXFile.read(path: path) == Self.sample)
    }

    @Test func labelFileOfRankOne() throws {
        let labels = IDXFile(elementType: .uint8, dimensions: [5], payload: [9, 0, 0, 3, 0])
        #expect(try IDXFile.parse(labels.encoded(), path: nil) == labels)
    }

    @Test func multiByteElementTypeSizeIsChecked() throws {
        let ints = IDXFile(elementType: .int32, dimensions: [2], payload: [0, 0, 0, 1, 0, 0, 0, 2])
        #expect(try IDXFile.parse(ints.encoded(), path: nil) == ints)
        expectError(.idxSizeMismatch, "need 8 payload bytes") { try IDXFile.parse(Array(ints.encoded().dropLast()), path: "x") }
    }

    // MARK: malformed inputs, one case each

    @Test func emptyFile() {
        expectError(.badIDXHeader, "shorter than the 4-byte IDX magic") { try IDXFile.parse([], path: "f") }
    }

    @Test func magicCutAfterThreeBytes() {
        expectError(.badIDXHeader, "shorter than the 4-byte IDX magic") { try IDXFile.parse([0, 0, 8], path: "f") }
    }

    @Test func magicWithNonZeroLeadingBytes() {
        expectError(.badIDXHeader, "expected 00 00") { try IDXFile.parse([0x89, 0x50, 8, 1, 0, 0, 0, 0], path: "f") }
    }

    @Test func unknownElementType() {
        expectError(.badIDXHeader, "unknown IDX element type 07") { try IDXFile.parse([0, 0, 7, 1, 0, 0, 0, 0], path: "f") }
    }

    @Test func zeroDimensions() {
        expectError(.badIDXHeader, "0 dimensions") { try IDXFile.parse([0, 0, 8, 0], path: "f") }
    }

    @Test func dimensionListCutShort() {
        expectError(.badIDXHeader, "declares 3 dimensions") { try IDXFile.parse([0, 0, 8, 3, 0, 0, 0, 2, 0, 0], path: "f") }
    }

    @Test func payloadOneByteShort() {
        expectError(.idxSizeMismatch, "need 12 payload bytes but the file holds 11") {
            try IDXFile.parse(Array(Self.sample.encoded().dropLast()), path: "f")
        }
    }

    @Test func payloadOneByteLong() {
        expectError(.idxSizeMismatch, "need 12 payload bytes but the file holds 13") {
            try IDXFile.parse(Self.sample.encoded() + [0], path: "f")
        }
    }

    @Test func implausiblyLargeDimensions() {
        expectError(.badIDXHeader, "implausibly large") {
            try IDXFile.parse([0, 0, 8, 3, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff], path: "f")
        }
    }

    @Test func gzipCutInTheMiddle() {
        let dir = TemporaryDirectory("idx")
        let gz = Gzip.compress(Self.sample.encoded())
        let path = dir.write("cut.gz", Array(gz.prefix(gz.count / 2)))
        expectError(.badCompression, "truncated", path: path) { try IDXFile.read(path: path) }
    }

    @Test func gzipWithCorruptDeflateData() {
        let dir = TemporaryDirectory("idx")
        var gz = Gzip.compress([UInt8](repeating: 7, count: 4096))
        for i in 10..<min(gz.count - 8, 30) { gz[i] = 0xff }
        let path = dir.write("bad.gz", gz)
        expectError(.badCompression, "", path: path) { try IDXFile.read(path: path) }
    }

    @Test func gzipWithWrongChecksum() {
        let dir = TemporaryDirectory("idx")
        var gz = Gzip.compress(Self.sample.encoded())
        gz[gz.count - 6] ^= 0xff  // inside the CRC-32 trailer
        let path = dir.write("crc.gz", gz)
        expectError(.badCompression, "corrupt gzip data", path: path) { try IDXFile.read(path: path) }
    }

    @Test func missingFile() {
        expectError(.missingPath, "no such file", path: "/nonexistent/thaw/x-idx3-ubyte") {
            try IDXFile.read(path: "/nonexistent/thaw/x-idx3-ubyte")
        }
    }

    @Test func directoryInsteadOfFile() {
        let dir = TemporaryDirectory("idx")
        expectError(.unreadable, "is a directory", path: dir.path) { try IDXFile.read(path: dir.path) }
    }
}

/// Expects `body` to throw a `DataError` of `kind` whose message contains `fragment` (and whose
/// path is `path` when given).
func expectError<T>(_ kind: DataError.Kind, _ fragment: String, path: String? = nil,
                    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T) {
    do {
        _ = try body()
        Issue.record("expected \(kind) error, got success", sourceLocation: sourceLocation)
    } catch let error as DataError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        #expect(fragment.isEmpty || error.message.contains(fragment), "\(error)", sourceLocation: sourceLocation)
        if let path { #expect(error.path == path, "\(error)", sourceLocation: sourceLocation) }
    } catch {
        Issue.record("expected DataError, got \(error)", sourceLocation: sourceLocation)
    }
}
