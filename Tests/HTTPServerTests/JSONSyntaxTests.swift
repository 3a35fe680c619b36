import Foundation
@testable import HTTPServer
import Testing

/// Strict RFC 8259: each malformed text its own case; every valid one must also be what Foundation
/// parses, so the check only ever refuses more.
@Suite struct JSONSyntaxTests {
    static let malformed: [String] = [
        "", " ", #"{"a":1,}"#, "[1,2,]", #"{"a":[1,],"b":2}"#, "[,1]", "{,}", #"{"a" 1}"#, #"{"a":}"#, "{1:2}",
        "[1 2]", #"{"a":1}x"#, "[1]]", "{]", "[}", "01", "-", "1.", ".5", "1e", "+1", "0x10", "tru", "nul",
        "NaN", "'a'", #""a"#, "\"a\u{1}b\"", #""\x""#, #""\u12G4""#, "[" + String(repeating: "[", count: 300),
        String(repeating: "[", count: 257) + String(repeating: "]", count: 257),
    ]
    static let valid: [String] = [
        "{}", "[]", #"{"a":1}"#, " [1, -2.5e+3, 0, 1E2, true, false, null] ", #"{"a":{"b":[{"c":"d"}]}}"#,
        #""é \n \u00e9 \/ \"""#, "0", "-0.0", #"{"":""}"#,
        String(repeating: "[", count: 256) + String(repeating: "]", count: 256),
    ]

    @Test(arguments: malformed)
    func malformedIsRefused(_ text: String) {
        #expect(JSONSyntax.problem(Array(text.utf8)) != nil)
    }

    @Test(arguments: valid)
    func validPassesAndFoundationAgrees(_ text: String) throws {
        #expect(JSONSyntax.problem(Array(text.utf8)) == nil)
        _ = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    @Test func trailingCommaNamesItsPlace() {
        #expect(JSONSyntax.problem(Array(#"{"a": 1,}"#.utf8)) == "trailing comma before '}' at byte 8")
    }

    @Test func decodeJSONAnswers400ForATrailingCommaAndAnEmptyBody() throws {
        struct Job: Decodable { var id: Int }
        for body in [#"{"id": 1,}"#, ""] {
            let request = try HTTPRequest(method: .POST, target: "/v1/jobs", body: Array(body.utf8))
            #expect {
                _ = try request.decodeJSON(Job.self)
            } throws: { error in
                (error as? HTTPError)?.status.code == 400 && (error as? HTTPError)?.code == "invalid_json"
            }
        }
    }
}
