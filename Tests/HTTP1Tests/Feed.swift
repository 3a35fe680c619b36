import HTTP1

/// Feeds a request to the parser the way a slow client would.
enum Feed {
    /// Parses each prefix `raw[0..<k]`, carrying the resume hint, until a non-incomplete result.
    static func byteByByte(_ raw: [UInt8], parser: HTTPRequestParser = HTTPRequestParser()) -> HTTPParseResult {
        var resume = 0
        for k in 1...raw.count {
            let result = parser.parse(Array(raw[0..<k]), resumeFrom: resume)
            switch result {
            case .incomplete(let scanned): resume = scanned
            default: return result
            }
        }
        return .incomplete(scanned: resume)
    }

    /// Decodes a chunked body given as `pieces` of arbitrary sizes; returns body, trailers and the
    /// number of bytes consumed, or the error.
    static func chunked(_ raw: [UInt8], pieceSize: Int) throws(HTTPParseError) -> (body: [UInt8], decoder: HTTPChunkedDecoder, consumed: Int) {
        var decoder = HTTPChunkedDecoder()
        var body: [UInt8] = []
        var offset = 0
        while offset < raw.count, !decoder.isComplete {
            let end = min(raw.count, offset + pieceSize)
            let used = try decoder.decode(Array(raw[offset..<end]), into: &body)
            offset += used
        }
        return (body, decoder, offset)
    }
}
