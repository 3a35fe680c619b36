import Foundation
import JobAPI

/// A reader for the YAML that docs/openapi.yaml is written in, so the drift tests can read the spec
/// without a YAML package: block mappings and sequences by indentation (a sequence may sit at its
/// key's indentation), `- key: value` items, flow `{...}` and `[...]`, plain, 'single' and
/// "double" quoted scalars, `|` and `>` block scalars, full-line comments. Anchors, tags, multi-document
/// streams and inline comments are not YAML this file uses; the reader fails on what it cannot place
/// rather than guessing.
enum MiniYAML {
    struct ParseError: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "openapi.yaml line \(line): \(message)" }
    }

    static func parse(_ text: String) throws -> JSONValue {
        var reader = BlockReader(text)
        guard let first = reader.lines.first else { return .null }
        let value = try reader.block(indent: first.indent)
        if reader.index < reader.lines.count {
            throw ParseError(line: reader.lines[reader.index].number, message: "unexpected indentation")
        }
        return value
    }

    struct Line {
        var number: Int
        var indent: Int
        var text: Substring
    }

    struct BlockReader {
        var lines: [Line] = []
        /// Every line with its number, blank ones included, for block scalars.
        let raw: [Substring]
        var index = 0

        init(_ text: String) {
            raw = text.split(separator: "\n", omittingEmptySubsequences: false)
            for (n, line) in raw.enumerated() {
                let trimmed = line.drop { $0 == " " }
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                var content = trimmed
                while content.last == " " { content = content.dropLast() }
                lines.append(Line(number: n + 1, indent: line.count - trimmed.count, text: content))
            }
        }

        mutating func block(indent: Int) throws -> JSONValue {
            let line = lines[index]
            return line.text == "-" || line.text.hasPrefix("- ") ? try sequence(indent: indent) : try mapping(indent: indent)
        }

        mutating func sequence(indent: Int) throws -> JSONValue {
            var items: [JSONValue] = []
            while index < lines.count, lines[index].indent == indent,
                  lines[index].text == "-" || lines[index].text.hasPrefix("- ") {
                let line = lines[index]
                let rest = line.text.dropFirst().drop { $0 == " " }
                if rest.isEmpty {
                    index += 1
                    items.append(try nested(after: indent, line: line.number))
                } else if Self.keySplit(rest) != nil {
                    // "- key: value": a mapping whose keys sit two columns right of the dash.
                    let column = indent + (line.text.count - rest.count)
                    lines[index] = Line(number: line.number, indent: column, text: rest)
                    items.append(try mapping(indent: column))
                } else {
                    index += 1
                    items.append(try FlowReader.scalarOrFlow(rest, line: line.number))
                }
            }
            return .array(items)
        }

        mutating func mapping(indent: Int) throws -> JSONValue {
            var fields: [String: JSONValue] = [:]
            while index < lines.count, lines[index].indent == indent {
                let line = lines[index]
                if line.text.hasPrefix("- ") { break }
                guard let (key, rest) = Self.keySplit(line.text) else {
                    throw ParseError(line: line.number, message: "expected `key: value`, got `\(line.text)`")
                }
                guard fields[key] == nil else { throw ParseError(line: line.number, message: "duplicate key \(key)") }
                index += 1
                if rest.isEmpty {
                    if index < lines.count, lines[index].indent == indent, lines[index].text.hasPrefix("- ") {
                        fields[key] = try sequence(indent: indent)
                    } else {
                        fields[key] = try nested(after: indent, line: line.number)
                    }
                } else if let style = rest.first, style == "|" || style == ">" {
                    fields[key] = .string(blockScalar(after: line.number, parentIndent: indent, folded: style == ">",
                                                      keepFinalNewline: !rest.hasSuffix("-")))
                } else {
                    fields[key] = try FlowReader.scalarOrFlow(rest, line: line.number)
                }
            }
            return .object(fields)
        }

        /// The block under a key or dash with nothing after it; null when nothing is indented more.
        mutating func nested(after indent: Int, line: Int) throws -> JSONValue {
            guard index < lines.count, lines[index].indent > indent else { return .null }
            return try block(indent: lines[index].indent)
        }

        /// `|` / `>` content: the raw lines indented past the key, the first one's indentation removed.
        mutating func blockScalar(after number: Int, parentIndent: Int, folded: Bool, keepFinalNewline: Bool) -> String {
            var body: [Substring] = []
            var n = number  // raw[n] is the line after the key (numbers are 1-based)
            var contentIndent: Int?
            while n < raw.count {
                let line = raw[n]
                let trimmed = line.drop { $0 == " " }
                let lineIndent = line.count - trimmed.count
                if !trimmed.isEmpty {
                    if lineIndent <= parentIndent { break }
                    if contentIndent == nil { contentIndent = lineIndent }
                }
                body.append(trimmed.isEmpty ? "" : line.dropFirst(min(contentIndent ?? 0, lineIndent)))
                n += 1
            }
            while body.last?.isEmpty == true { body.removeLast() }
            while index < lines.count, lines[index].number <= n { index += 1 }
            let text = folded ? body.map(String.init).joined(separator: " ") : body.joined(separator: "\n")
            return keepFinalNewline ? text + "\n" : text
        }

        /// Splits `key: rest` (a quoted or plain key, the colon followed by a space or the line's end).
        static func keySplit(_ text: Substring) -> (String, Substring)? {
            if let quote = text.first, quote == "\"" || quote == "'" {
                guard let (key, after) = try? FlowReader.quoted(text, line: 0), after.hasPrefix(":") else { return nil }
                return (key, after.dropFirst().drop { $0 == " " })
            }
            if text.first == "{" || text.first == "[" { return nil }
            var i = text.startIndex
            while i < text.endIndex {
                if text[i] == ":" {
                    let next = text.index(after: i)
                    if next == text.endIndex || text[next] == " " {
                        return (String(text[..<i]), text[next...].drop { $0 == " " })
                    }
                }
                i = text.index(after: i)
            }
            return nil
        }
    }

    /// Flow collections and scalars on one line.
    enum FlowReader {
        static func scalarOrFlow(_ text: Substring, line: Int) throws -> JSONValue {
            var rest = text
            let value = try self.value(&rest, inFlow: false, line: line)
            guard rest.drop(while: { $0 == " " }).isEmpty else {
                throw ParseError(line: line, message: "trailing text `\(rest)`")
            }
            return value
        }

        static func value(_ text: inout Substring, inFlow: Bool, line: Int) throws -> JSONValue {
            text = text.drop { $0 == " " }
            switch text.first {
            case "{":
                text = text.dropFirst()
                var fields: [String: JSONValue] = [:]
                while true {
                    text = text.drop { $0 == " " }
                    if text.first == "}" { text = text.dropFirst(); return .object(fields) }
                    let key: String
                    if let quote = text.first, quote == "\"" || quote == "'" {
                        (key, text) = try quoted(text, line: line)
                    } else {
                        let end = text.firstIndex(of: ":") ?? text.endIndex
                        key = text[..<end].trimmingCharacters(in: .whitespaces)
                        text = text[end...]
                    }
                    guard text.first == ":" else { throw ParseError(line: line, message: "expected ':' after \(key)") }
                    text = text.dropFirst()
                    fields[key] = try value(&text, inFlow: true, line: line)
                    text = text.drop { $0 == " " }
                    if text.first == "," { text = text.dropFirst(); continue }
                    guard text.first == "}" else { throw ParseError(line: line, message: "expected ',' or '}'") }
                }
            case "[":
                text = text.dropFirst()
                var items: [JSONValue] = []
                while true {
                    text = text.drop { $0 == " " }
                    if text.first == "]" { text = text.dropFirst(); return .array(items) }
                    items.append(try value(&text, inFlow: true, line: line))
                    text = text.drop { $0 == " " }
                    if text.first == "," { text = text.dropFirst(); continue }
                    guard text.first == "]" else { throw ParseError(line: line, message: "expected ',' or ']'") }
                }
            case "\"", "'":
                let (string, rest) = try quoted(text, line: line)
                text = rest
                return .string(string)
            default:
                let end = inFlow ? (text.firstIndex { ",]}".contains($0) } ?? text.endIndex) : text.endIndex
                let plain = text[..<end].trimmingCharacters(in: .whitespaces)
                text = text[end...]
                return typed(plain)
            }
        }

        /// A quoted scalar at the start of `text`, and what follows its closing quote.
        static func quoted(_ text: Substring, line: Int) throws -> (String, Substring) {
            let quote = text.first!
            var out = ""
            var i = text.index(after: text.startIndex)
            while i < text.endIndex {
                let c = text[i]
                if c == quote {
                    let next = text.index(after: i)
                    if quote == "'", next < text.endIndex, text[next] == "'" {
                        out.append("'")
                        i = text.index(after: next)
                        continue
                    }
                    return (out, text[next...])
                }
                if quote == "\"", c == "\\" {
                    i = text.index(after: i)
                    guard i < text.endIndex else { break }
                    switch text[i] {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "u":
                        let hex = text[text.index(after: i)...].prefix(4)
                        guard hex.count == 4, let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                            throw ParseError(line: line, message: "bad \\u escape")
                        }
                        out.unicodeScalars.append(scalar)
                        i = text.index(i, offsetBy: 4)
                    default: out.append(text[i])  // \\ \" \/
                    }
                } else {
                    out.append(c)
                }
                i = text.index(after: i)
            }
            throw ParseError(line: line, message: "unterminated string")
        }

        /// YAML 1.2 core schema types of a plain scalar.
        static func typed(_ plain: String) -> JSONValue {
            switch plain {
            case "null", "~", "": return .null
            case "true": return .bool(true)
            case "false": return .bool(false)
            default:
                if plain.range(of: #"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"#, options: .regularExpression) != nil,
                   let number = Double(plain) {
                    return .number(number)
                }
                return .string(plain)
            }
        }
    }
}
