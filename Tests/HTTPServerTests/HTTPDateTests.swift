@testable import HTTPServer
import Testing

@Suite struct HTTPDateTests {
    /// RFC 9110 §5.6.7's own example.
    @Test func imfFixdate() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }

    @Test func singleDigitFieldsArePadded() {
        #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }
}
