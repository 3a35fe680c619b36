import HTTP1
import Testing

struct MalformedChunkCase: CustomTestStringConvertible, Sendable {
    let name: String
    let raw: String
    let error: HTTPParseError
    var testDescription: String { name }
    init(_ name: String, _ raw: String, _ error: HTTPParseError) {
        self.name = name
        self.raw = raw
        self.error = error
    }

    static let all: [MalformedChunkCase] = [
        .init("empty chunk size", "\r\nabc\r\n0\r\n\r\n", .invalidChunkSize),
        .init("non-hex chunk size", "zz\r\nabc\r\n0\r\n\r\n", .invalidChunkSize),
        .init("negative chunk size", "-3\r\nabc\r\n0\r\n\r\n", .invalidChunkSize),
        .init("leading space before size", " 3\r\nabc\r\n0\r\n\r\n", .invalidChunkSize),
        .init("0x prefix in size", "0x3\r\nabc\r\n0\r\n\r\n", .invalidChunkSize),
        .init("overflowing chunk size", "fffffffffffffffff\r\n", .invalidChunkSize),
        .init("space inside size", "1 0\r\n", .invalidChunkSize),
        .init("bare LF after size", "3\nabc\r\n0\r\n\r\n", .invalidChunkSize),
        .init("CR not followed by LF after size", "3\rabc\r\n0\r\n\r\n", .invalidLineEnding),
        .init("data longer than size", "3\r\nabcd\r\n0\r\n\r\n", .invalidChunkFraming),
        .init("data not followed by CRLF", "3\r\nabcXY0\r\n\r\n", .invalidChunkFraming),
        .init("data followed by bare LF", "3\r\nabc\n0\r\n\r\n", .invalidChunkFraming),
        .init("extension without name", "3;\r\nabc\r\n0\r\n\r\n", .invalidChunkExtension),
        .init("extension with NUL", "3;a=\u{0}\r\nabc\r\n0\r\n\r\n", .invalidChunkExtension),
        .init("extension with bare LF", "3;a\nabc\r\n0\r\n\r\n", .invalidChunkExtension),
        .init("extension too long", "3;" + String(repeating: "a", count: 2000) + "\r\nabc\r\n0\r\n\r\n", .invalidChunkExtension),
        .init("trailer without colon", "0\r\nNoColon\r\n\r\n", .invalidTrailer),
        .init("trailer obs-fold", "0\r\nA: b\r\n c\r\n\r\n", .invalidTrailer),
        .init("trailer bare LF", "0\r\nA: b\n\r\n", .invalidTrailer),
        .init("trailer NUL value", "0\r\nA: \u{0}\r\n\r\n", .invalidTrailer),
        .init("final CR without LF", "0\r\n\rX", .invalidLineEnding),
        .init("huge trailer section", "0\r\n" + String(repeating: "A: bbbbbbbbbb\r\n", count: 1000) + "\r\n", .invalidTrailer),
    ]
}

@Suite struct ChunkedDecoderTests {
    @Test(arguments: MalformedChunkCase.all)
    func rejected(_ c: MalformedChunkCase) {
        #expect(throws: c.error) { _ = try Feed.chunked(Array(c.raw.utf8), pieceSize: 1 << 20) }
    }

    @Test(arguments: MalformedChunkCase.all)
    func rejectedByteByByte(_ c: MalformedChunkCase) {
        #expect(throws: c.error) { _ = try Feed.chunked(Array(c.raw.utf8), pieceSize: 1) }
    }

    static let valid = "4\r\nWiki\r\n5;name=value;flag\r\npedia\r\nE \t; q=\"quoted ; str\"\r\n in\r\n\r\nchunks.\r\n000\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\nGET / HTTP/1.1\r\n"

    @Test(arguments: [1, 2, 3, 7, 64, 1 << 20])
    func decodesExtensionsAndTrailersAtAnyPieceSize(pieceSize: Int) throws {
        let raw = Array(Self.valid.utf8)
        let (body, decoder, consumed) = try Feed.chunked(raw, pieceSize: pieceSize)
        #expect(decoder.isComplete)
        #expect(String(decoding: body, as: UTF8.self) == "Wikipedia in\r\n\r\nchunks.")
        #expect(decoder.trailers["x-checksum"] == "abc")
        #expect(decoder.trailers.count == 2)
        #expect(String(decoding: raw[consumed...], as: UTF8.self) == "GET / HTTP/1.1\r\n")
    }

    @Test func upperCaseHexSize() throws {
        let (body, decoder, _) = try Feed.chunked(Array("A\r\n0123456789\r\n0\r\n\r\n".utf8), pieceSize: 100)
        #expect(body.count == 10)
        #expect(decoder.isComplete)
    }

    @Test func incompleteBodyIsNotComplete() throws {
        let (body, decoder, consumed) = try Feed.chunked(Array("5\r\nhel".utf8), pieceSize: 100)
        #expect(!decoder.isComplete)
        #expect(body == Array("hel".utf8))
        #expect(consumed == 6)
    }
}

@Suite struct ChunkedAnnouncedBytesTests {
    @Test func sizeLineAnnouncesItsChunkBeforeAnyData() throws {
        var decoder = HTTPChunkedDecoder()
        var body: [UInt8] = []
        _ = try decoder.decode(Array("100000".utf8), into: &body)
        #expect(decoder.announcedBytes == 0x100000)
        _ = try decoder.decode(Array("\r\nab".utf8), into: &body)
        #expect(decoder.announcedBytes == 0x100000 - 2)
    }

    @Test func zeroPaddedSizeLinesAddNoBodyBytes() throws {
        // Why a caller must count consumed bytes: this input grows without growing the body.
        var decoder = HTTPChunkedDecoder()
        var body: [UInt8] = []
        let consumed = try decoder.decode(Array(String(repeating: "0", count: 10_000).utf8), into: &body)
        #expect(consumed == 10_000)
        #expect(body.isEmpty)
        #expect(decoder.announcedBytes == 0)
    }
}
