import Foundation

/// One `$ command` of docs/api.md with the output the document shows for it, and the comparison of a
/// replay's output with that: the same status, and the same shape (keys, value kinds, error codes and
/// fields, header names, event names, CSV columns), not the same ids, times or figures.
struct APIDocExample: CustomStringConvertible {
    var line: Int
    /// The shell command, without its prompt and without the document's `(annotation)` / `# note`.
    var command: String
    /// The document's note after the command (`running`, `queued`, ...), if any.
    var annotation: String
    var output: [String]

    var description: String { "docs/api.md:\(line) `\(command.prefix(100))`" }

    /// Every command in the document's code blocks that runs curl, or prepares a file for the next one.
    static func all(in markdown: String) -> [APIDocExample] {
        var examples: [APIDocExample] = []
        var inBlock = false
        var current: APIDocExample?
        func flush() {
            if var example = current {
                while example.output.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { example.output.removeLast() }
                examples.append(example)
            }
            current = nil
        }
        for (index, line) in markdown.components(separatedBy: "\n").enumerated() {
            if line.hasPrefix("```") {
                flush()
                inBlock.toggle()
                continue
            }
            guard inBlock else { continue }
            if line.hasPrefix("$ ") {
                flush()
                let (command, annotation) = split(String(line.dropFirst(2)))
                current = APIDocExample(line: index + 1, command: command, annotation: annotation, output: [])
            } else if current != nil {
                current?.output.append(line)
            }
        }
        flush()
        return examples
    }

    /// `cmd      (running)` and `cmd   # with 2048 open` → the command and the note.
    static func split(_ text: String) -> (String, String) {
        if let range = text.range(of: #"\s{3,}\(([^)]*)\)$"#, options: .regularExpression) {
            return (String(text[..<range.lowerBound]), String(text[range]).trimmingCharacters(in: CharacterSet(charactersIn: " ()")))
        }
        if let range = text.range(of: #"\s{2,}# .*$"#, options: .regularExpression) {
            return (String(text[..<range.lowerBound]), String(text[range]).trimmingCharacters(in: CharacterSet(charactersIn: " #")))
        }
        return (text, "")
    }

    /// An output split into what the comparison looks at.
    struct Output {
        var status: Int?
        var headers: [String] = []
        var body: [String] = []
    }

    /// Reads `HTTP/1.1 NNN ...` + headers + blank line + body, or a body ending in `HTTP NNN`.
    static func parse(_ lines: [String]) -> Output {
        var output = Output()
        var rest = lines[...]
        while rest.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { rest = rest.dropLast() }
        if let first = rest.first, first.hasPrefix("HTTP/1.1 ") {
            output.status = Int(first.split(separator: " ")[1])
            rest = rest.dropFirst()
            while let line = rest.first, !line.trimmingCharacters(in: .whitespaces).isEmpty {
                output.headers.append(String(line.prefix { $0 != ":" }).lowercased())
                rest = rest.dropFirst()
            }
            rest = rest.drop { $0.trimmingCharacters(in: .whitespaces).isEmpty }
        }
        if let last = rest.last, let match = last.range(of: #"^(HTTP|@@STATUS) [0-9]{3}$"#, options: .regularExpression) {
            output.status = Int(last[match].suffix(3))
            rest = rest.dropLast()
        }
        output.body = rest.filter { !$0.isEmpty }
        return output
    }

    /// The document's JSON with its `…` elisions removed (`{…,"id":"x",…}` reads as `{"id":"x"}`).
    static func json(_ lines: [String]) -> Any? {
        var text = lines.joined(separator: "\n").replacingOccurrences(of: "…", with: "")
        for (from, to) in [(#",\s*,"#, ","), (#"\{\s*,"#, "{"), (#",\s*\}"#, "}"), (#"\[\s*,"#, "["), (#",\s*\]"#, "]")] {
            while text.range(of: from, options: .regularExpression) != nil {
                text = text.replacingOccurrences(of: from, with: to, options: .regularExpression)
            }
        }
        return try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    /// Keys whose values are part of the contract, not of one run.
    static let exactKeys: Set<String> = ["code", "object", "field", "action", "deleted", "builtin"]
    /// Objects keyed by the run's own names (classes, groups): their values are compared, not their keys.
    static let mapKeys: Set<String> = ["per_class_accuracy", "lrs", "peak_lrs"]

    /// Problems with `actual` against the documented `expected` (empty: it conforms).
    static func shapeProblems(_ actual: Any, _ expected: Any, path: String = "") -> [String] {
        switch (actual, expected) {
        case (_, is NSNull), (is NSNull, _):
            return []
        case (let a as [String: Any], let e as [String: Any]):
            var problems: [String] = []
            for (key, value) in e {
                guard let got = a[key] else { problems.append("\(path).\(key) is missing"); continue }
                if exactKeys.contains(key), !(value is [Any]), !(value is [String: Any]), "\(got)" != "\(value)" {
                    problems.append("\(path).\(key) is \(got), documented \(value)")
                    continue
                }
                if mapKeys.contains(key), let ga = got as? [String: Any], let ea = value as? [String: Any] {
                    if let sample = ea.values.first { for v in ga.values { problems += shapeProblems(v, sample, path: "\(path).\(key)[*]") } }
                    continue
                }
                // An event's data has the shape of its type: compared only between events of one type.
                if key == "data", let gt = a["type"] as? String, let et = e["type"] as? String, gt != et { continue }
                if key == "details", let ga = got as? [[String: Any]], let ea = value as? [[String: Any]] {
                    let gf = Set(ga.compactMap { $0["field"] as? String }), ef = Set(ea.compactMap { $0["field"] as? String })
                    if gf != ef { problems.append("\(path).details fields are \(gf.sorted()), documented \(ef.sorted())") }
                    continue
                }
                problems += shapeProblems(got, value, path: "\(path).\(key)")
            }
            return problems
        case (let a as [Any], let e as [Any]):
            guard let first = e.first, let got = a.first else { return [] }
            return shapeProblems(got, first, path: path + "[0]")
        case (is String, is String), (is NSNumber, is NSNumber):
            return []
        default:
            return ["\(path) is \(type(of: actual)), documented \(type(of: expected))"]
        }
    }

    /// Problems of a replay's output against the document's (both as lines).
    func problems(actualLines: [String], checkStatus: Bool = true) -> [String] {
        let expected = Self.parse(output), actual = Self.parse(actualLines)
        var problems: [String] = []
        let expectedJSON = Self.json(expected.body)
        if !checkStatus {
        } else if let status = expected.status {
            if actual.status != status { problems.append("status \(actual.status.map(String.init) ?? "none"), documented \(status)") }
        } else if let object = expectedJSON as? [String: Any], object["error"] is [String: Any] {
            if (actual.status ?? 0) < 400 { problems.append("status \(actual.status ?? 0), documented an error") }
        } else if !(200..<300).contains(actual.status ?? 0), !expected.body.isEmpty || !expected.headers.isEmpty {
            problems.append("status \(actual.status ?? 0), documented a success")
        }
        let missingHeaders = Set(expected.headers).subtracting(actual.headers)
        if !missingHeaders.isEmpty { problems.append("headers \(missingHeaders.sorted()) missing") }
        if let expectedJSON {
            guard let actualJSON = try? JSONSerialization.jsonObject(with: Data(actual.body.joined(separator: "\n").utf8), options: [.fragmentsAllowed])
            else { return problems + ["the body is not JSON: \(actual.body.prefix(3))"] }
            problems += Self.shapeProblems(actualJSON, expectedJSON)
        } else if expected.body.contains(where: { $0.hasPrefix("event: ") }) {
            let names = { (lines: [String]) in Set(lines.filter { $0.hasPrefix("event: ") }) }
            let missing = names(expected.body).subtracting(names(actual.body))
            if !missing.isEmpty { problems.append("events \(missing.sorted()) missing") }
        } else if let header = expected.body.first, header.contains(","), !header.contains(" ") {
            let columns = Set(header.split(separator: ",").map(String.init)).subtracting(["…"])
            let got = Set((actual.body.first ?? "").split(separator: ",").map(String.init))
            if !columns.isSubset(of: got) { problems.append("CSV columns \(columns.subtracting(got).sorted()) missing") }
        } else if expected.body.contains(where: { $0.hasPrefix("# HELP ") }) {
            let missing = Set(expected.body.filter { $0.hasPrefix("# HELP ") }).subtracting(actual.body)
            if !missing.isEmpty { problems.append("metrics \(missing.sorted()) missing") }
        }
        return problems
    }
}
