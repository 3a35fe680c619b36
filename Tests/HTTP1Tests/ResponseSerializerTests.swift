import HTTP1
import Testing

@Suite struct ResponseSerializerTests {
    @Test func headIsStatusLineFieldsAndEmptyLine() {
        let bytes = HTTPResponseSerializer.head(status: .ok, headers: ["Content-Length": "2", "Content-Type": "application/json"])
        #expect(bytes.map { String(decoding: $0, as: UTF8.self) } ==
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n")
    }

    @Test func headerValueWithCRLFIsRefused() {
        #expect(HTTPResponseSerializer.head(status: .ok, headers: ["X-A": "a\r\nSet-Cookie: evil"]) == nil)
    }

    @Test func headerNameWithSpaceIsRefused() {
        #expect(HTTPResponseSerializer.head(status: .ok, headers: ["X A": "b"]) == nil)
    }

    @Test func chunksAreHexFramedAndEmptyChunksSkipped() {
        var out: [UInt8] = []
        HTTPResponseSerializer.writeChunk(Array(repeating: UInt8(ascii: "x"), count: 26), into: &out)
        HTTPResponseSerializer.writeChunk([UInt8](), into: &out)
        out += HTTPResponseSerializer.lastChunk
        #expect(String(decoding: out, as: UTF8.self) == "1a\r\n" + String(repeating: "x", count: 26) + "\r\n0\r\n\r\n")
    }

    /// The serializer's output, chunked, must decode back to the original with our own decoder.
    @Test func chunkedRoundTrip() throws {
        let payload = (0..<1000).map { UInt8($0 % 251) }
        var framed: [UInt8] = []
        for start in stride(from: 0, to: payload.count, by: 97) {
            HTTPResponseSerializer.writeChunk(payload[start..<min(payload.count, start + 97)], into: &framed)
        }
        framed += HTTPResponseSerializer.lastChunk
        var decoder = HTTPChunkedDecoder()
        var body: [UInt8] = []
        let used = try decoder.decode(framed, into: &body)
        #expect(used == framed.count)
        #expect(body == payload)
    }
}
