/// One thing wrong with a job spec or a control body: where (`phases[1].lr.min`, `dataset.classes[2]`,
/// empty for the document itself) and what, in words a user can act on. The daemon lists them all in
/// one 422 response.
public struct SpecProblem: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Every problem found in a spec or control body, in document order.
public struct SpecError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [SpecProblem]

    public init(problems: [SpecProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "; ") }
}

/// Accumulates problems while a document is read; shared by the nested readers of one parse.
package final class ProblemLog {
    package private(set) var problems: [SpecProblem] = []

    package init() {}

    package func add(_ path: String, _ message: String) {
        problems.append(SpecProblem(path: path, message: message))
    }

    /// A problem found before the document's own (a request field read ahead of the spec).
    package func insertFirst(_ path: String, _ message: String) {
        problems.insert(SpecProblem(path: path, message: message), at: 0)
    }

    /// True when no problem was added at or below `path` (used to skip checks on fields that already
    /// failed to parse, so one mistake is reported once).
    package func isClean(under path: String) -> Bool {
        !problems.contains { $0.path == path || $0.path.hasPrefix(path + ".") || $0.path.hasPrefix(path + "[") }
    }
}

/// Path spelling shared by every reader: `a.b`, `a[3]`.
package enum SpecPath {
    package static func key(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : "\(parent).\(key)" }
    package static func index(_ parent: String, _ index: Int) -> String { "\(parent)[\(index)]" }
}
