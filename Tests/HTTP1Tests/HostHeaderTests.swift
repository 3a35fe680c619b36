import HTTP1
import Testing

/// Host values by RFC 3986 syntax (RFC 9112 §3.2, RFC 9110 §7.2): each one its own named case.
@Suite struct HostHeaderTests {
    static let invalid: [String] = [
        "bad host", "[::1", "a/b", "x@y:1", "h:port", "[::1]x", "[::1]:8a", "[1:2:3:4:5:6:7:8:9]",
        "[::1::2]", "[1.2.3.4]", "[v1]", "a%zz", "a%4", "[:1]", "[1:]", "host:80:81", "a\\b", "a?b", "a#b",
    ]
    static let valid: [String] = [
        "localhost:8080", "127.0.0.1", "[::1]:80", "example.com", "[::1]", "[2001:db8::7]:443",
        "[::ffff:192.0.2.1]", "[1:2:3:4:5:6:7:8]", "[v7.fe80::1]", "a%20b", "h:", "x-y_z.~:65535",
        "sub!$&'()*+,;=delims", "",
    ]

    static func request(host: String) -> [UInt8] { Array("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n".utf8) }

    @Test(arguments: invalid)
    func invalidHostIs400(_ host: String) {
        let result = HTTPRequestParser().parse(Self.request(host: host))
        #expect(result == .invalid(.invalidHost))
        #expect(HTTPParseError.invalidHost.status.code == 400)
    }

    @Test(arguments: valid)
    func validHostPasses(_ host: String) {
        guard case .complete(let head, _) = HTTPRequestParser().parse(Self.request(host: host)) else {
            Issue.record("'\(host)' was refused")
            return
        }
        #expect(head.headers["host"] == host)
    }

    @Test func invalidHostRejectedWhenFedByteByByte() {
        #expect(Feed.byteByByte(Self.request(host: "x@y:1")) == .invalid(.invalidHost))
    }
}
