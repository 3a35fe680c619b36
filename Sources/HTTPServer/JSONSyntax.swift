/// A strict RFC 8259 syntax check, run before Foundation parses a body: Foundation's parser
/// accepts trailing commas (`{"a":1,}`, `[1,]`), which would let a malformed body through to
/// semantic validation as a 422 instead of the 400 malformed JSON must get.
///
/// One pass, no recursion (nesting is a stack of bytes), so a deeply nested body costs memory
/// linear in its depth and never the thread's stack; depth is capped at `maxDepth`.
public enum JSONSyntax {
    /// Deepest nesting of arrays and objects accepted. Default 256.
    public static let maxDepth = 256

    /// Why `bytes` is not one JSON text, with the byte offset; nil when it is.
    public static func problem(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBufferPointer { check($0) }
    }

    private enum Expect { case value, valueOrClose, key, keyOrClose, colon, commaOrClose, end }

    // swiftlint:disable:next cyclomatic_complexity
    private static func check(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        var stack: [UInt8] = [] // "{" or "["
        var expect = Expect.value
        var i = 0
        let n = b.count
        while true {
            while i < n, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
            if i == n {
                return expect == .end ? nil : "unexpected end of input"
            }
            let c = b[i]
            switch expect {
            case .end:
                return "unexpected '\(printable(c))' after the JSON value at byte \(i)"
            case .colon:
                guard c == UInt8(ascii: ":") else { return "expected ':' at byte \(i)" }
                i += 1
                expect = .value
                continue
            case .commaOrClose:
                if c == UInt8(ascii: ",") {
                    i += 1
                    expect = stack.last == UInt8(ascii: "{") ? .key : .value
                    continue
                }
                if (c == UInt8(ascii: "}") && stack.last == UInt8(ascii: "{")) || (c == UInt8(ascii: "]") && stack.last == UInt8(ascii: "[")) {
                    stack.removeLast()
                    i += 1
                    expect = stack.isEmpty ? .end : .commaOrClose
                    continue
                }
                return "expected ',' or a closing bracket at byte \(i)"
            case .key, .keyOrClose:
                if expect == .keyOrClose, c == UInt8(ascii: "}") {
                    stack.removeLast()
                    i += 1
                    expect = stack.isEmpty ? .end : .commaOrClose
                    continue
                }
                guard c == UInt8(ascii: "\"") else {
                    return c == UInt8(ascii: "}") ? "trailing comma before '}' at byte \(i)" : "expected a string key at byte \(i)"
                }
                guard let next = string(b, i) else { return "invalid string at byte \(i)" }
                i = next
                expect = .colon
                continue
            case .value, .valueOrClose:
                if c == UInt8(ascii: "]") {
                    guard expect == .valueOrClose else { return "trailing comma before ']' at byte \(i)" }
                    stack.removeLast()
                    i += 1
                    expect = stack.isEmpty ? .end : .commaOrClose
                    continue
                }
                switch c {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    guard stack.count < maxDepth else { return "nested deeper than \(maxDepth) at byte \(i)" }
                    stack.append(c)
                    i += 1
                    expect = c == UInt8(ascii: "{") ? .keyOrClose : .valueOrClose
                    continue
                case UInt8(ascii: "\""):
                    guard let next = string(b, i) else { return "invalid string at byte \(i)" }
                    i = next
                case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                    let word: [UInt8] = c == UInt8(ascii: "t") ? Array("true".utf8) : c == UInt8(ascii: "f") ? Array("false".utf8) : Array("null".utf8)
                    guard n - i >= word.count, (0..<word.count).allSatisfy({ b[i + $0] == word[$0] }) else {
                        return "invalid literal at byte \(i)"
                    }
                    i += word.count
                default:
                    guard let next = number(b, i) else { return "invalid value at byte \(i)" }
                    i = next
                }
                expect = stack.isEmpty ? .end : .commaOrClose
            }
        }
    }

    /// The index after the string starting with the quote at `start`, or nil.
    private static func string(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
        var i = start + 1
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") { return i + 1 }
            if c < 0x20 { return nil }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < b.count else { return nil }
                switch b[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard i + 5 < b.count, (2...5).allSatisfy({ isHex(b[i + $0]) }) else { return nil }
                    i += 6
                default:
                    return nil
                }
                continue
            }
            i += 1
        }
        return nil
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; the index after it, or nil.
    private static func number(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
        var i = start
        func digits() -> Int {
            let from = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            return i - from
        }
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count else { return nil }
        if b[i] == 0x30 {
            i += 1
        } else if digits() == 0 {
            return nil
        }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return nil }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return nil }
        }
        return i
    }

    private static func isHex(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
    }

    private static func printable(_ c: UInt8) -> String {
        c >= 0x21 && c < 0x7F ? String(UnicodeScalar(c)) : "\\u{\(String(c, radix: 16))}"
    }
}
