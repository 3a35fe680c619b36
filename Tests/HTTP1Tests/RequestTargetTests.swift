import HTTP1
import Testing

@Suite struct RequestTargetTests {
    @Test func percentDecodedPathAndSegments() throws {
        let t = try HTTPRequestTarget.parse("/v1/jobs/a%20b/x%2Fy", method: .GET)
        #expect(t.path == "/v1/jobs/a b/x/y")
        #expect(t.segments == ["v1", "jobs", "a b", "x/y"])
        #expect(t.rawQuery == nil)
    }

    @Test func rootHasNoSegments() throws {
        #expect(try HTTPRequestTarget.parse("/", method: .GET).segments == [])
    }

    @Test func queryItemsDecodePlusAndPercent() throws {
        let t = try HTTPRequestTarget.parse("/s?q=a+b%26c&flag&empty=&n=%C3%A9", method: .GET)
        #expect(t.rawQuery == "q=a+b%26c&flag&empty=&n=%C3%A9")
        #expect(t.queryItems == [
            .init(name: "q", value: "a b&c"), .init(name: "flag", value: ""),
            .init(name: "empty", value: ""), .init(name: "n", value: "é"),
        ])
    }

    /// Parts with nothing to decode take the short way (no copy); `+` is still a space only in
    /// the query, and raw UTF-8 passes as it is.
    @Test func partsWithoutEscapesAreTheirOwnBytes() throws {
        let t = try HTTPRequestTarget.parse("/v1/jobs/job_0123456789abcdef/a+b/\u{e9}?x=y+z&w=v&plain", method: .GET)
        #expect(t.path == "/v1/jobs/job_0123456789abcdef/a+b/\u{e9}")
        #expect(t.segments == ["v1", "jobs", "job_0123456789abcdef", "a+b", "\u{e9}"])
        #expect(t.queryItems == [.init(name: "x", value: "y z"), .init(name: "w", value: "v"), .init(name: "plain", value: "")])
        #expect(try HTTPRequestTarget.parse("/a/", method: .GET).segments == ["a", ""])
    }

    @Test func absoluteFormUsesPath() throws {
        let t = try HTTPRequestTarget.parse("http://example.com:80/a/b?x=1", method: .GET)
        #expect(t.path == "/a/b")
        #expect(t.queryItems == [.init(name: "x", value: "1")])
    }

    @Test func absoluteFormWithoutPathIsRoot() throws {
        #expect(try HTTPRequestTarget.parse("https://example.com", method: .GET).path == "/")
        #expect(try HTTPRequestTarget.parse("https://example.com?a=1", method: .GET).queryItems.count == 1)
    }

    @Test func asteriskOnlyForOptions() throws {
        #expect(try HTTPRequestTarget.parse("*", method: .OPTIONS).path == "*")
        #expect(throws: HTTPParseError.invalidTarget) { try HTTPRequestTarget.parse("*", method: .GET) }
    }

    @Test(arguments: [
        "relative/path", "%41", "/a%zz", "/a%4", "/a%", "/a%00b", "/a%FFb", "/a#frag",
        "http:/x", "://x/", "1http://x/", "http:///path", "example.com:443",
    ])
    func invalidTargets(_ target: String) {
        #expect(throws: HTTPParseError.invalidTarget) { try HTTPRequestTarget.parse(target, method: .GET) }
    }
}
