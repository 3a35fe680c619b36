import HTTP1
import Testing

@Suite struct ResponseSerializerTests {
    @Test func headIsStatusLineFieldsAndEmptyLine() {
        let bytes = HTTPResponseSerializer.head(status: .ok, headers: ["Content-Length": "2", "Content-Type": "application/json"])
        #expect(bytes.map { String(decoding: $0, as: UTF8.self) } ==
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n")
    }

    /// The status line is written as bytes; it is what interpolation wrote, for every version,
    /// code (any number of digits) and reason, a reason with a control character left out.
    @Test(arguments: [HTTPVersion.http1_0, .http1_1, HTTPVersion(major: 2, minor: 0), HTTPVersion(major: 10, minor: 12)])
    func statusLineIsWhatInterpolationWrites(version: HTTPVersion) throws {
        for status in [HTTPStatus.ok, .notModified, .notFound, HTTPStatus(code: 0, reason: ""), HTTPStatus(code: 7),
                       HTTPStatus(code: 599, reason: "Custom Reason"), HTTPStatus(code: 1_000_000, reason: "big"),
                       HTTPStatus(code: Int.max, reason: "max"), HTTPStatus(code: -3, reason: "negative"),
                       HTTPStatus(code: 200, reason: "bad\r\nreason")] {
            let reason = status.reason.utf8.contains(UInt8(ascii: "\r")) ? "" : status.reason
            let bytes = try #require(HTTPResponseSerializer.head(status: status, headers: [:], version: version))
            #expect(String(decoding: bytes, as: UTF8.self) == "\(version) \(status.code) \(reason)\r\n\r\n")
        }
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
