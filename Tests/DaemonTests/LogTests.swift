import Daemon
import Testing

@Suite struct LogTests {
    @Test func controlCharactersAreEscaped() {
        #expect(Log.escaped("GET /v1/jobs/a\n2026-01-01T00:00:00Z thawd[error] forged")
            == #"GET /v1/jobs/a\n2026-01-01T00:00:00Z thawd[error] forged"#)
        #expect(Log.escaped("a\rb\tc\u{0}d\u{1B}[2Je\u{7F}f\u{85}g\u{2028}h") == #"a\rb\tc\u{0}d\u{1B}[2Je\u{7F}f\u{85}g\u{2028}h"#)
    }

    @Test func plainTextIsUnchanged() {
        for text in ["job abc started", "café ✓ 日本", ""] { #expect(Log.escaped(text) == text) }
    }
}
