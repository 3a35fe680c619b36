// libFuzzer target for the HTTP1 parser, chunked decoder and target decoder.
//
//   swift build -Xswiftc -sanitize=fuzzer --product http1-fuzz   # then deploy/fuzz/run-http-fuzz.sh
//   swift build --product http1-fuzz && .build/debug/http1-fuzz FILE...   # replays inputs, no fuzzer
//
// Beyond "does not crash", each input checks two properties:
// - incremental = whole: parsing a prefix, then the whole buffer resuming from the returned
//   hint, gives exactly the result of parsing the whole buffer at once;
// - chunked decoding in two pieces equals decoding in one, and never consumes past the input.

import Foundation
import HTTP1

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
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

/// libFuzzer's driver, when this binary was linked with `-sanitize=fuzzer`. SwiftPM gives every
/// executable its own `main`, so libFuzzer's is never the entry point; its exported driver is
/// looked up instead (the target links with --export-dynamic), and without it the inputs named on
/// the command line are replayed — how a crash file becomes a reproducible regression check.
typealias FuzzerDriver = @convention(c) (
    UnsafeMutablePointer<CInt>, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

if let symbol = dlsym(dlopen(nil, RTLD_NOW), "LLVMFuzzerRunDriver") {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(unsafeBitCast(symbol, to: FuzzerDriver.self)(&argc, &argv, { fuzz($0, $1) }))
}
let files = CommandLine.arguments.dropFirst()
guard !files.isEmpty else {
    FileHandle.standardError.write(Data("usage: http1-fuzz FILE... (replay); build with -Xswiftc -sanitize=fuzzer to fuzz\n".utf8))
    exit(2)
}
for path in files {
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("http1-fuzz: cannot read \(path)\n".utf8))
        exit(1)
    }
    _ = data.withUnsafeBytes { fuzz($0.bindMemory(to: UInt8.self).baseAddress, data.count) }
    print("ok \(path) (\(data.count) bytes)")
}
