/// Incremental decoder for the chunked transfer coding (RFC 9112 §7.1), extensions and trailers
/// included. Feed it whatever bytes arrived; it consumes up to the end of the last chunk's trailer
/// section and no further, so a pipelined request after the body stays in the caller's buffer.
///
/// Body-size policy stays with the caller. It should count the input bytes consumed (size lines,
/// extensions and trailers included: a stream of zero-padded size lines adds nothing to `body`)
/// plus `announcedBytes`, and answer 413 as soon as that passes its limit.
public struct HTTPChunkedDecoder: Sendable {
    enum State: Sendable, Equatable {
        case size, sizeWhitespace, extensionStart, extensionBody, sizeLF
        case data(remaining: Int), dataCR, dataLF
        case trailerLineStart, trailerLine, trailerLF, finalLF
        case done
    }

    public let limits: HTTPParserLimits
    private var state: State = .size
    private var size = 0
    private var sizeDigits = 0
    private var extensionBytes = 0
    private var trailerBytes = 0
    private var trailerLine: [UInt8] = []
    /// Trailer fields received after the last chunk (kept for handlers that want them).
    public private(set) var trailers = HTTPHeaders()

    public init(limits: HTTPParserLimits = HTTPParserLimits()) { self.limits = limits }

    /// Data bytes the chunk being read still announces (its remaining size, or the size digits read
    /// so far), which will arrive before the next size line: lets the caller refuse an oversized
    /// chunk from its size line, before any of its data.
    public var announcedBytes: Int {
        switch state {
        case .size, .sizeWhitespace, .extensionStart, .extensionBody, .sizeLF: size
        case .data(let remaining): remaining
        default: 0
        }
    }

    /// True once the last chunk and the trailer section have been consumed.
    public var isComplete: Bool { state == .done }

    public mutating func decode(_ input: [UInt8], into body: inout [UInt8]) throws(HTTPParseError) -> Int {
        try input.withUnsafeBufferPointer { (p) throws(HTTPParseError) -> Int in try decode(p, into: &body) }
    }

    /// Appends decoded data to `body` and returns how many input bytes were consumed.
    public mutating func decode(_ input: UnsafeBufferPointer<UInt8>, into body: inout [UInt8]) throws(HTTPParseError) -> Int {
        var i = 0
        let n = input.count
        while i < n, state != .done {
            if case .data(let remaining) = state {
                let take = min(remaining, n - i)
                body.append(contentsOf: UnsafeBufferPointer(rebasing: input[i..<(i + take)]))
                i += take
                state = remaining == take ? .dataCR : .data(remaining: remaining - take)
                continue
            }
            try step(input[i])
            i += 1
        }
        return i
    }

    private mutating func step(_ byte: UInt8) throws(HTTPParseError) {
        switch state {
        case .size:
            if let digit = ASCII.hexValue(byte) {
                guard size <= (Int.max >> 4) else { throw .invalidChunkSize }
                size = size << 4 | digit
                sizeDigits += 1
                return
            }
            guard sizeDigits > 0 else { throw .invalidChunkSize }
            switch byte {
            case ASCII.space, ASCII.tab: state = .sizeWhitespace
            case ASCII.semicolon: state = .extensionStart
            case ASCII.cr: state = .sizeLF
            default: throw .invalidChunkSize
            }
        case .sizeWhitespace:
            switch byte {
            case ASCII.space, ASCII.tab: break
            case ASCII.semicolon: state = .extensionStart
            default: throw .invalidChunkSize
            }
        case .extensionStart:
            try countExtension()
            if byte == ASCII.space || byte == ASCII.tab { return }
            guard ASCII.isToken(byte) else { throw .invalidChunkExtension }
            state = .extensionBody
        case .extensionBody:
            if byte == ASCII.cr {
                state = .sizeLF
                return
            }
            try countExtension()
            guard ASCII.isFieldValue(byte) else { throw .invalidChunkExtension }
            if byte == ASCII.semicolon { state = .extensionStart }
        case .sizeLF:
            guard byte == ASCII.lf else { throw .invalidLineEnding }
            state = size == 0 ? .trailerLineStart : .data(remaining: size)
            size = 0
            sizeDigits = 0
            extensionBytes = 0
        case .data:
            break // handled in bulk by decode
        case .dataCR:
            guard byte == ASCII.cr else { throw .invalidChunkFraming }
            state = .dataLF
        case .dataLF:
            guard byte == ASCII.lf else { throw .invalidChunkFraming }
            state = .size
        case .trailerLineStart:
            if byte == ASCII.cr {
                state = .finalLF
                return
            }
            state = .trailerLine
            try appendTrailer(byte)
        case .trailerLine:
            if byte == ASCII.cr {
                state = .trailerLF
                return
            }
            try appendTrailer(byte)
        case .trailerLF:
            guard byte == ASCII.lf else { throw .invalidLineEnding }
            try finishTrailerLine()
            state = .trailerLineStart
        case .finalLF:
            guard byte == ASCII.lf else { throw .invalidLineEnding }
            state = .done
        case .done:
            break
        }
    }

    private mutating func countExtension() throws(HTTPParseError) {
        extensionBytes += 1
        if extensionBytes > limits.maxChunkExtensionBytes { throw .invalidChunkExtension }
    }

    private mutating func appendTrailer(_ byte: UInt8) throws(HTTPParseError) {
        trailerBytes += 1
        if trailerBytes > limits.maxTrailerBytes || byte == ASCII.lf { throw .invalidTrailer }
        trailerLine.append(byte)
    }

    private mutating func finishTrailerLine() throws(HTTPParseError) {
        let line = trailerLine
        trailerLine.removeAll(keepingCapacity: true)
        let parser = HTTPRequestParser(limits: limits)
        let parsed = line.withUnsafeBufferPointer { b in
            parser.parseField(b, 0, b.count).map { ranges in
                (String(decoding: b[ranges.0], as: UTF8.self), String(decoding: b[ranges.1], as: UTF8.self))
            }
        }
        guard case .success(let (name, value)) = parsed else { throw .invalidTrailer }
        trailers.add(name, value)
    }
}
