// libFuzzer entry point for the HTTP1 parser, chunked decoder and target decoder.
// Built by run-http-fuzz.sh together with Sources/HTTP1/*.swift (no Package.swift target needed).
//
// Beyond "does not crash", each input checks two properties:
// - incremental = whole: parsing a prefix, then the whole buffer resuming from the returned
//   hint, gives exactly the result of parsing the whole buffer at once;
// - chunked decoding in two pieces equals decoding in one, and never consumes past the input.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard !bytes.isEmpty else { return 0 }
    let split = Int(bytes[0]) % (bytes.count + 1)
    let input = Array(bytes.dropFirst())
    let limits = HTTPParserLimits(maxRequestLineBytes: 512, maxHeaderBytes: 2048, maxHeaderCount: 16,
                                  maxChunkExtensionBytes: 64, maxTrailerBytes: 256)
    let parser = HTTPRequestParser(limits: limits)

    let whole = parser.parse(input)
    var resume = 0
    let cut = min(split, input.count)
    if case .incomplete(let scanned) = parser.parse(Array(input[0..<cut])) { resume = scanned }
    let incremental = parser.parse(input, resumeFrom: cut == input.count ? 0 : resume)
    if cut < input.count, whole != incremental {
        fatalError("incremental parse differs: whole=\(whole) incremental=\(incremental) cut=\(cut)")
    }
    switch whole {
    case .complete(let head, let consumed):
        precondition(consumed <= input.count)
        _ = try? HTTPRequestTarget.parse(head.target, method: head.method)
        decodeBody(Array(input[consumed...]), split: split, limits: limits)
    case .incomplete(let scanned):
        precondition(scanned <= input.count)
    case .invalid:
        break
    }
    decodeBody(input, split: split, limits: limits)
    return 0
}

private func decodeBody(_ body: [UInt8], split: Int, limits: HTTPParserLimits) {
    var one = HTTPChunkedDecoder(limits: limits)
    var outOne: [UInt8] = []
    let resultOne = Result { () throws(HTTPParseError) -> Int in try one.decode(body, into: &outOne) }

    var two = HTTPChunkedDecoder(limits: limits)
    var outTwo: [UInt8] = []
    let cut = min(split, body.count)
    let resultTwo = Result { () throws(HTTPParseError) -> Int in
        let first = try two.decode(Array(body[0..<cut]), into: &outTwo)
        if two.isComplete { return first }
        return first + (try two.decode(Array(body[cut...]), into: &outTwo))
    }
    switch (resultOne, resultTwo) {
    case (.success(let a), .success(let b)):
        precondition(a <= body.count && a == b && outOne == outTwo && one.isComplete == two.isComplete,
                     "chunked split mismatch")
    case (.failure(let a), .failure(let b)):
        precondition(a == b, "chunked errors differ: \(a) vs \(b)")
    default:
        fatalError("chunked outcome differs with split \(cut): \(resultOne) vs \(resultTwo)")
    }
}
