import HTTP1
import Testing

@Suite struct ParserLimitTests {
    let limits = HTTPParserLimits(maxRequestLineBytes: 64, maxHeaderBytes: 256, maxHeaderCount: 4)

    @Test func requestLineOverLimitWithoutCRLFIs414() {
        let raw = Array(("GET /" + String(repeating: "a", count: 100)).utf8)
        #expect(HTTPRequestParser(limits: limits).parse(raw) == .invalid(.requestLineTooLong))
    }

    @Test func completeRequestLineOverLimitIs414() {
        let raw = Array(("GET /" + String(repeating: "a", count: 100) + " HTTP/1.1\r\nHost: a\r\n\r\n").utf8)
        #expect(HTTPRequestParser(limits: limits).parse(raw) == .invalid(.requestLineTooLong))
    }

    @Test func requestLineAtLimitIsAccepted() {
        let line = "GET /" + String(repeating: "a", count: 64 - 14) + " HTTP/1.1"
        #expect(line.utf8.count == 64)
        let raw = Array((line + "\r\nHost: a\r\n\r\n").utf8)
        guard case .complete = HTTPRequestParser(limits: limits).parse(raw) else {
            Issue.record("64-byte request line rejected")
            return
        }
    }

    @Test func unterminatedHeaderBlockOverLimitIs431() {
        let raw = Array(("GET / HTTP/1.1\r\nX-A: " + String(repeating: "b", count: 300)).utf8)
        #expect(HTTPRequestParser(limits: limits).parse(raw) == .invalid(.headersTooLarge))
    }

    @Test func completeHeaderBlockOverLimitIs431() {
        let raw = Array(("GET / HTTP/1.1\r\nHost: a\r\nX-A: " + String(repeating: "b", count: 300) + "\r\n\r\n").utf8)
        #expect(HTTPRequestParser(limits: limits).parse(raw) == .invalid(.headersTooLarge))
    }

    @Test func tooManyHeadersIs431() {
        let raw = Array("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n".utf8)
        #expect(HTTPRequestParser(limits: limits).parse(raw) == .invalid(.tooManyHeaders))
    }

    @Test func headerCountAtLimitIsAccepted() {
        let raw = Array("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n".utf8)
        guard case .complete(let head, _) = HTTPRequestParser(limits: limits).parse(raw) else {
            Issue.record("4 headers rejected")
            return
        }
        #expect(head.headers.count == 4)
    }

    @Test func endlessEmptyLinesHitTheHeaderLimit() {
        let raw = Array(String(repeating: "\r\n", count: 200).utf8)
        #expect(HTTPRequestParser(limits: limits).parse(raw) == .invalid(.headersTooLarge))
    }

    @Test func incompleteReportsResumePointThatSkipsScannedBytes() {
        let raw = Array("GET / HTTP/1.1\r\nHost: a\r\n".utf8)
        guard case .incomplete(let scanned) = HTTPRequestParser().parse(raw) else {
            Issue.record("expected incomplete")
            return
        }
        #expect(scanned == raw.count - 1)
        let full = raw + Array("\r\n".utf8)
        guard case .complete(_, let consumed) = HTTPRequestParser().parse(full, resumeFrom: scanned) else {
            Issue.record("resume failed")
            return
        }
        #expect(consumed == full.count)
    }
}
